import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sqrt float (opset 18); expected values from the ONNX reference implementation.
@Test func sqrtFloat() throws {
  let y = try runOp1(
    "Sqrt",
    [
      Tensor([2.055182933807373, 1.1751251220703125, 0.28621479868888855, 1.604451060295105, 2.296633720397949, 0.6534308195114136] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.4335908889770508, 1.0840319395065308, 0.5349904894828796, 1.2666692733764648, 1.5154649019241333, 0.808350682258606], shape: [2, 3], tolerance: 1e-5)
}

/// Sqrt float16 (opset 18); expected values from the ONNX reference implementation.
@Test func sqrtFloat16() throws {
  let y = try runOp1(
    "Sqrt",
    [
      Tensor([3.95703125, 0.90869140625, 1.119140625, 2.51171875] as [Float16], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .float16)
  expectClose(y, [1.9892578125, 0.953125, 1.0576171875, 1.5849609375], shape: [4], tolerance: 1e-3)
}
