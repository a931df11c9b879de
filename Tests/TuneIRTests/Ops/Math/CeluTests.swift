import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Celu alpha (opset 18); expected values from the ONNX reference implementation.
@Test func celuAlpha() throws {
  let y = try runOp1(
    "Celu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.float("alpha", 2.0)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.2977238893508911, 1.5023531913757324, -1.2095723152160645, 2.4865665435791016, -1.1438145637512207, 1.6146659851074219, -1.4534022808074951, -0.15338361263275146], shape: [2, 4], tolerance: 1e-5)
}
