import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Greater broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func greaterBroadcast() throws {
  let y = try runOp1(
    "Greater",
    [
      Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] as [Float], shape: [2, 3]),
      Tensor([2.0, 5.0, 3.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, false, true, false, true] as [Bool], shape: [2, 3])))
}

/// Greater int8 (opset 18); expected values from the ONNX reference implementation.
@Test func greaterInt8() throws {
  let y = try runOp1(
    "Greater",
    [
      Tensor([-1, 2, -3, 1, -3] as [Int8], shape: [5]),
      Tensor([-3, 3, 1, -1, -5] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, false, false, true, true] as [Bool], shape: [5])))
}
