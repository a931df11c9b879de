import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// LeakyRelu default (opset 18); expected values from the ONNX reference implementation.
@Test func leakyReluDefault() throws {
  let y = try runOp1(
    "LeakyRelu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.0032236177939921618, 1.5023531913757324, -0.018566565588116646, 2.4865665435791016, -0.01696830801665783, 1.6146659851074219, -0.02594378963112831, -0.0015958447474986315], shape: [2, 4], tolerance: 1e-5)
}

/// LeakyRelu alpha (opset 18); expected values from the ONNX reference implementation.
@Test func leakyReluAlpha() throws {
  let y = try runOp1(
    "LeakyRelu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.float("alpha", 0.2)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.06447236239910126, 1.5023531913757324, -0.3713313043117523, 2.4865665435791016, -0.3393661677837372, 1.6146659851074219, -0.518875777721405, -0.03191689774394035], shape: [2, 4], tolerance: 1e-5)
}
