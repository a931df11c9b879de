import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Log float (opset 18); expected values from the ONNX reference implementation.
@Test func logFloat() throws {
  let y = try runOp1(
    "Log",
    [
      Tensor([1.1885846853256226, 2.1615564823150635, 0.3807423412799835, 2.2092418670654297, 2.351773262023926, 2.4947235584259033] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.17276327311992645, 0.7708285450935364, -0.965632438659668, 0.7926493883132935, 0.8551696538925171, 0.9141778945922852], shape: [2, 3], tolerance: 1e-5)
}
