import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// HardSigmoid alpha_beta (opset 18); expected values from the ONNX reference implementation.
@Test func hardSigmoidAlphaBeta() throws {
  let y = try runOp1(
    "HardSigmoid",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.float("alpha", 0.3), .float("beta", 0.4)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.3032914698123932, 0.8507059812545776, 0.0, 1.0, 0.0, 0.8843998312950134, 0.0, 0.3521246612071991], shape: [2, 4], tolerance: 1e-5)
}
