import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Tanh float (opset 18); expected values from the ONNX reference implementation.
@Test func tanhFloat() throws {
  let y = try runOp1(
    "Tanh",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.649456262588501, 0.8695367574691772, 0.4459983706474304, -0.8486831784248352, -0.2549934983253479, 0.9113932251930237], shape: [2, 3], tolerance: 1e-5)
}
