import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Softsign float (opset 18); expected values from the ONNX reference implementation.
@Test func softsignFloat() throws {
  let y = try runOp1(
    "Softsign",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.43641576170921326, 0.5710321664810181, 0.32418450713157654, -0.5558371543884277, -0.20681904256343842, 0.6056299805641174], shape: [2, 3], tolerance: 1e-5)
}
