import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Erf float (opset 18); expected values from the ONNX reference implementation.
@Test func erfFloat() throws {
  let y = try runOp1(
    "Erf",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.7265303134918213, 0.9402411580085754, 0.5024752616882324, -0.9232369065284729, -0.28768670558929443, 0.9701287746429443], shape: [2, 3], tolerance: 1e-5)
}
