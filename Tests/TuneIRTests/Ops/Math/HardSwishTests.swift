import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// HardSwish float (opset 18); expected values from the ONNX reference implementation.
@Test func hardSwishFloat() throws {
  let y = try runOp1(
    "HardSwish",
    [
      Tensor([-4.674416542053223, -1.8618929386138916, -1.8776932954788208, 2.1974844932556152, -0.4498251676559448, -4.43225622177124, 4.953616619110107, 3.886993169784546] as [Float], shape: [2, 4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.0, -0.353172242641449, -0.3512246310710907, 1.9035652875900269, -0.19118879735469818, -0.0, 4.953616619110107, 3.886993169784546], shape: [2, 4], tolerance: 1e-5)
}
