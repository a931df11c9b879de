import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// IsInf both (opset 18); expected values from the ONNX reference implementation.
@Test func isInfBoth() throws {
  let y = try runOp1(
    "IsInf",
    [
      Tensor([1.0, .nan, .infinity, -.infinity] as [Float], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, true, true] as [Bool], shape: [4])))
}

/// IsInf negative_only (opset 18); expected values from the ONNX reference implementation.
@Test func isInfNegativeOnly() throws {
  let y = try runOp1(
    "IsInf",
    [
      Tensor([1.0, .nan, .infinity, -.infinity] as [Float], shape: [4])
    ], attributes: [.int("detect_positive", 0)], opset: 18)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, false, false, true] as [Bool], shape: [4])))
}
