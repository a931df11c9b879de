import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Or broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func orBroadcast() throws {
  let y = try runOp1(
    "Or",
    [
      Tensor([true, false, false, true, false, true, true, true, true, true, false, false, false, true, false, true, false, true, false, false, false, false, false, true] as [Bool], shape: [2, 3, 4]),
      Tensor([true, false, false, true] as [Bool], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, false, false, true, true, true, true, true, true, true, false, true, true, true, false, true, true, true, false, true, true, false, false, true] as [Bool], shape: [2, 3, 4])))
}
