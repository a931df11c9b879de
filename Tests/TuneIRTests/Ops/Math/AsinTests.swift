import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Asin float (opset 18); expected values from the ONNX reference implementation.
@Test func asinFloat() throws {
  let y = try runOp1(
    "Asin",
    [
      Tensor([0.5391665697097778, 0.26013892889022827, 0.3977510333061218, 0.8941881060600281, 0.7905239462852478, 0.6174451112747192] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.5694471597671509, 0.26316606998443604, 0.40906432271003723, 1.1066144704818726, 0.9116641283035278, 0.6654906868934631], shape: [2, 3], tolerance: 1e-5)
}
