import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// GreaterOrEqual broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func greaterOrEqualBroadcast() throws {
  let y = try runOp1(
    "GreaterOrEqual",
    [
      Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] as [Float], shape: [2, 3]),
      Tensor([2.0, 5.0, 3.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, true, true, true, true] as [Bool], shape: [2, 3])))
}

/// GreaterOrEqual int8 (opset 18); expected values from the ONNX reference implementation.
@Test func greaterOrEqualInt8() throws {
  let y = try runOp1(
    "GreaterOrEqual",
    [
      Tensor([-3, 3, 0, 5, 4] as [Int8], shape: [5]),
      Tensor([4, -5, -5, 1, -2] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, true, true, true, true] as [Bool], shape: [5])))
}
