import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// IsNaN float (opset 18); expected values from the ONNX reference implementation.
@Test func isNaNFloat() throws {
  let y = try runOp1(
    "IsNaN",
    [
      Tensor([1.0, .nan, .infinity, -.infinity] as [Float], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, true, false, false] as [Bool], shape: [4])))
}
