import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Atanh float (opset 18); expected values from the ONNX reference implementation.
@Test func atanhFloat() throws {
  let y = try runOp1(
    "Atanh",
    [
      Tensor([0.3983313739299774, -0.09936175495386124, -0.21927541494369507, -0.1444123238325119, -0.8399893641471863, 0.61977618932724] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.4216640591621399, -0.09969069808721542, -0.2228948026895523, -0.14542898535728455, -1.2211374044418335, 0.7246416211128235], shape: [2, 3], tolerance: 1e-5)
}
