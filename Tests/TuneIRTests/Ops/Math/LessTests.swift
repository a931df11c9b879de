import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Less broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func lessBroadcast() throws {
  let y = try runOp1(
    "Less",
    [
      Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0] as [Float], shape: [2, 3]),
      Tensor([2.0, 5.0, 3.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, true, false, false, false, false] as [Bool], shape: [2, 3])))
}

/// Less int8 (opset 18); expected values from the ONNX reference implementation.
@Test func lessInt8() throws {
  let y = try runOp1(
    "Less",
    [
      Tensor([5, 1, -3, -5, -2] as [Int8], shape: [5]),
      Tensor([1, -4, -4, -4, 2] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, false, true, true] as [Bool], shape: [5])))
}
