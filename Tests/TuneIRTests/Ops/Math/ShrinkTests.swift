import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Shrink lambd_bias (opset 18); expected values from the ONNX reference implementation.
@Test func shrinkLambdBias() throws {
  let y = try runOp1(
    "Shrink",
    [
      Tensor([1.6074641942977905, -0.2515988051891327, -0.759861946105957, 0.27533385157585144, -1.7919553518295288, -1.1006308794021606] as [Float], shape: [6])
    ], attributes: [.float("lambd", 1.0), .float("bias", 0.5)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.1074641942977905, 0.0, 0.0, 0.0, -1.2919553518295288, -0.6006308794021606], shape: [6], tolerance: 1e-5)
}

/// Shrink int8_default (opset 18); expected values from the ONNX reference implementation.
@Test func shrinkInt8Default() throws {
  let y = try runOp1(
    "Shrink",
    [
      Tensor([0, 0, 2, 3, 3] as [Int8], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .int8)
  #expect(y.isIdentical(to: Tensor([0, 0, 2, 3, 3] as [Int8], shape: [5])))
}
