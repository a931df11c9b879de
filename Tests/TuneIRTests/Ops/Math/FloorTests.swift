import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Floor float (opset 18); expected values from the ONNX reference implementation.
@Test func floorFloat() throws {
  let y = try runOp1(
    "Floor",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-1.0, 1.0, 0.0, -2.0, -1.0, 1.0], shape: [2, 3], tolerance: 1e-5)
}
