import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Tan float (opset 18); expected values from the ONNX reference implementation.
@Test func tanFloat() throws {
  let y = try runOp1(
    "Tan",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.9781592488288879, 4.093109607696533, 0.5202217698097229, -3.0239779949188232, -0.26682087779045105, 28.47305679321289], shape: [2, 3], tolerance: 1e-5)
}
