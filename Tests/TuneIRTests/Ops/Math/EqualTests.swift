import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Equal broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func equalBroadcast() throws {
  let y = try runOp1(
    "Equal",
    [
      Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] as [Float], shape: [2, 3]),
      Tensor([2.0, 5.0, 3.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, true, false, true, false] as [Bool], shape: [2, 3])))
}

/// Equal int8 (opset 18); expected values from the ONNX reference implementation.
@Test func equalInt8() throws {
  let y = try runOp1(
    "Equal",
    [
      Tensor([-4, -5, -1, -5, -3] as [Int8], shape: [5]),
      Tensor([-3, 2, -3, 5, -3] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, false, false, true] as [Bool], shape: [5])))
}

/// Equal bool (opset 19); expected values from the ONNX reference implementation.
@Test func equalBool() throws {
  let y = try runOp1(
    "Equal",
    [
      Tensor([true, false, true] as [Bool], shape: [3]),
      Tensor([true, true, false] as [Bool], shape: [3])
    ], opset: 19)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, false, false] as [Bool], shape: [3])))
}
