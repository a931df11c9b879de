import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Acos float (opset 18); expected values from the ONNX reference implementation.
@Test func acosFloat() throws {
  let y = try runOp1(
    "Acos",
    [
      Tensor([0.49880844354629517, -0.18896540999412537, 0.2542124092578888, -0.5679978728294373, 0.46709004044532776, 0.4638431966304779] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.0485730171203613, 1.7609047889709473, 1.31376314163208, 2.174867630004883, 1.0847995281219482, 1.0884679555892944], shape: [2, 3], tolerance: 1e-5)
}
