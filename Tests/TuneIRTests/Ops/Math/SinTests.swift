import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sin float (opset 18); expected values from the ONNX reference implementation.
@Test func sinFloat() throws {
  let y = try runOp1(
    "Sin",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.6992570161819458, 0.9714284539222717, 0.4615075886249542, -0.949433445930481, -0.25780174136161804, 0.999383807182312], shape: [2, 3], tolerance: 1e-5)
}
