import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sigmoid float (opset 18); expected values from the ONNX reference implementation.
@Test func sigmoidFloat() throws {
  let y = try runOp1(
    "Sigmoid",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.3155372142791748, 0.7910352945327759, 0.6176755428314209, 0.222453311085701, 0.4351802170276642, 0.8228372931480408], shape: [2, 3], tolerance: 1e-5)
}
