import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Not matrix (opset 18); expected values from the ONNX reference implementation.
@Test func notMatrix() throws {
  let y = try runOp1(
    "Not",
    [
      Tensor([true, false, false, false, true, false] as [Bool], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, true, true, true, false, true] as [Bool], shape: [2, 3])))
}
