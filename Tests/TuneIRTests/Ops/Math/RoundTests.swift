import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Round half_to_even (opset 18); expected values from the ONNX reference implementation.
@Test func roundHalfToEven() throws {
  let y = try runOp1(
    "Round",
    [
      Tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4000000953674316, 2.5999999046325684, -2.5999999046325684] as [Float], shape: [8])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.0, 2.0, 2.0, -0.0, -2.0, 2.0, 3.0, -3.0], shape: [8], tolerance: 1e-5)
}
