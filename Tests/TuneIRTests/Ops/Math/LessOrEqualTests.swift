import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// LessOrEqual broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func lessOrEqualBroadcast() throws {
  let y = try runOp1(
    "LessOrEqual",
    [
      Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] as [Float], shape: [2, 3]),
      Tensor([2.0, 5.0, 3.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, true, true, false, true, false] as [Bool], shape: [2, 3])))
}

/// LessOrEqual int8 (opset 18); expected values from the ONNX reference implementation.
@Test func lessOrEqualInt8() throws {
  let y = try runOp1(
    "LessOrEqual",
    [
      Tensor([-5, -5, 0, -2, 1] as [Int8], shape: [5]),
      Tensor([5, 4, 0, 2, 3] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, true, true, true, true] as [Bool], shape: [5])))
}
