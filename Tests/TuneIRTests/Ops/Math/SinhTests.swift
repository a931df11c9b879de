import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sinh float (opset 18); expected values from the ONNX reference implementation.
@Test func sinhFloat() throws {
  let y = try runOp1(
    "Sinh",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.8540992736816406, 1.7606655359268188, 0.4983034133911133, -1.604614496231079, -0.2637110650539398, 2.2146105766296387], shape: [2, 3], tolerance: 1e-5)
}
