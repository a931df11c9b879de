import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Selu default (opset 18); expected values from the ONNX reference implementation.
@Test func seluDefault() throws {
  let y = try runOp1(
    "Selu",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.48446881771087646, 1.5785239934921265, -1.4834948778152466, 2.612637996673584, -1.4359041452407837, 1.6965311765670776, -1.6267828941345215, -0.2593233585357666], shape: [2, 4], tolerance: 1e-5)
}
