import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Elu alpha (opset 18); expected values from the ONNX reference implementation.
@Test func eluAlpha() throws {
  let y = try runOp1(
    "Elu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.float("alpha", 0.5)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.13778197765350342, 1.5023531913757324, -0.42190301418304443, 2.4865665435791016, -0.4083682894706726, 1.6146659851074219, -0.46265387535095215, -0.0737510621547699], shape: [2, 4], tolerance: 1e-5)
}
