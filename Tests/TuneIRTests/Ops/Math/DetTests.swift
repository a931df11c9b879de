import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Det batch (opset 11); expected values from the ONNX reference implementation.
@Test func detBatch() throws {
  let y = try runOp1(
    "Det",
    [
      Tensor([1.1478694677352905, -1.0180965662002563, -1.4300792217254639, 1.1979663372039795, 0.7453145980834961, -1.1503392457962036, -0.9296727180480957, 1.7568793296813965, -0.925848126411438, 0.8096235394477844, -1.4817869663238525, 1.260143518447876, -1.5296399593353271, 0.06416450440883636, -1.859129548072815, 0.20031417906284332, 1.3864864110946655, -1.6624059677124023] as [Float], shape: [2, 3, 3])
    ], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [-4.690993785858154, 3.63167405128479], shape: [2], tolerance: 1e-5)
}

/// Det singular (opset 11); expected values from the ONNX reference implementation.
@Test func detSingular() throws {
  let y = try runOp1(
    "Det",
    [
      Tensor([1.0, 2.0, 2.0, 4.0] as [Float], shape: [2, 2])
    ], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [0.0], shape: [], tolerance: 1e-5)
}
