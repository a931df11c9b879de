import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Xor broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func xorBroadcast() throws {
  let y = try runOp1(
    "Xor",
    [
      Tensor([true, true, true, false, false, false, true, false, true, true, true, false, true, false, true, false, false, true, true, true, true, false, false, false] as [Bool], shape: [2, 3, 4]),
      Tensor([true, true, false, false] as [Bool], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, true, false, true, true, true, false, false, false, true, false, false, true, true, false, true, false, true, true, false, true, false, false] as [Bool], shape: [2, 3, 4])))
}
