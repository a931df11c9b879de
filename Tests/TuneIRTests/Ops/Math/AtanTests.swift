import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Atan float (opset 18); expected values from the ONNX reference implementation.
@Test func atanFloat() throws {
  let y = try runOp1(
    "Atan",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.6589086651802063, 0.9265182614326477, 0.44727110862731934, -0.8966116905212402, -0.25506702065467834, 0.9935968518257141], shape: [2, 3], tolerance: 1e-5)
}
