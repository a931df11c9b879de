import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Softplus float (opset 18); expected values from the ONNX reference implementation.
@Test func softplusFloat() throws {
  let y = try runOp1(
    "Softplus",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.5449000597000122, 1.7033376693725586, 0.14513355493545532, 2.566481590270996, 0.16827623546123505, 1.796118140220642, 0.0720343366265297, 0.6165348887443542], shape: [2, 4], tolerance: 1e-5)
}

/// Softplus large (opset 18); expected values from the ONNX reference implementation.
@Test func softplusLarge() throws {
  let y = try runOp1(
    "Softplus",
    [
      Tensor([-100.0, 100.0, 0.0] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.0, 100.0, 0.6931471824645996], shape: [3], tolerance: 1e-5)
}
