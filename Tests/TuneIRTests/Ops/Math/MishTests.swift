import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Mish float (opset 18); expected values from the ONNX reference implementation.
@Test func mishFloat() throws {
  let y = try runOp1(
    "Mish",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.16011328995227814, 1.4059396982192993, -0.26758700609207153, 2.457401990890503, -0.2828713357448578, 1.5281238555908203, -0.18656179308891296, -0.08756572753190994], shape: [2, 4], tolerance: 1e-5)
}
