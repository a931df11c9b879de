import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// CumProd axis1 (opset 26); expected values from the ONNX reference implementation.
@Test func cumProdAxis1() throws {
  let y = try runOp1(
    "CumProd",
    [
      Tensor([1.3789163827896118, 1.1409616470336914, -0.2108447104692459, 0.8515637516975403, -1.8624411821365356, -0.44080638885498047] as [Float], shape: [2, 3]),
      Tensor([1] as [Int64], shape: [])
    ], opset: 26)
  #expect(y.dtype == .float)
  expectClose(y, [1.3789163827896118, 1.5732907056808472, -0.3317200243473053, 0.8515637516975403, -1.5859874486923218, 0.6991134285926819], shape: [2, 3], tolerance: 1e-5)
}

/// CumProd exclusive_reverse_int32 (opset 26); expected values from the ONNX reference implementation.
@Test func cumProdExclusiveReverseInt32() throws {
  let y = try runOp1(
    "CumProd",
    [
      Tensor([4, 4, -2, 1, 0] as [Int32], shape: [5]),
      Tensor([0] as [Int64], shape: [])
    ], attributes: [.int("exclusive", 1), .int("reverse", 1)], opset: 26)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([0, 0, 0, 0, 1] as [Int32], shape: [5])))
}
