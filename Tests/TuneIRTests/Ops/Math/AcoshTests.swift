import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Acosh float (opset 18); expected values from the ONNX reference implementation.
@Test func acoshFloat() throws {
  let y = try runOp1(
    "Acosh",
    [
      Tensor([2.672872543334961, 2.223803997039795, 2.6892833709716797, 3.1927566528320312, 2.2062366008758545, 3.5088579654693604] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.6393135786056519, 1.4374823570251465, 1.645910620689392, 1.8285521268844604, 1.4285938739776611, 1.9274846315383911], shape: [2, 3], tolerance: 1e-5)
}
