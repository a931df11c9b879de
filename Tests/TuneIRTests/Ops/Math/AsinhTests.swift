import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Asinh float (opset 18); expected values from the ONNX reference implementation.
@Test func asinhFloat() throws {
  let y = try runOp1(
    "Asinh",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.7125195264816284, 1.0973179340362549, 0.4629760980606079, -1.0484838485717773, -0.2578786313533783, 1.214398741722107], shape: [2, 3], tolerance: 1e-5)
}
