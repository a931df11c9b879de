import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Cos float (opset 18); expected values from the ONNX reference implementation.
@Test func cosFloat() throws {
  let y = try runOp1(
    "Cos",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.7148703336715698, 0.23733261227607727, 0.8871362805366516, 0.31396836042404175, 0.9661978483200073, 0.03509928286075592], shape: [2, 3], tolerance: 1e-5)
}
