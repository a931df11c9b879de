import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Gelu none (opset 20); expected values from the ONNX reference implementation.
@Test func geluNone() throws {
  let y = try runOp1(
    "Gelu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], opset: 20)
  #expect(y.dtype == .float)
  expectClose(y, [-0.12043092399835587, 1.4024423360824585, -0.058818913996219635, 2.4705305099487305, -0.07612717151641846, 1.52877938747406, -0.01229240745306015, -0.0696752518415451], shape: [2, 4], tolerance: 1e-5)
}

/// Gelu tanh (opset 20); expected values from the ONNX reference implementation.
@Test func geluTanh() throws {
  let y = try runOp1(
    "Gelu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.string("approximate", "tanh")], opset: 20)
  #expect(y.dtype == .float)
  expectClose(y, [-0.1204342246055603, 1.4022252559661865, -0.05884143337607384, 2.470965623855591, -0.07626189291477203, 1.5286017656326294, -0.011828186921775341, -0.06967546045780182], shape: [2, 4], tolerance: 1e-5)
}
