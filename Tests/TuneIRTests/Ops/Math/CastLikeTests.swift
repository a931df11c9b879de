import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// CastLike float_like_int32 (opset 19); expected values from the ONNX reference implementation.
@Test func castLikeFloatLikeInt32() throws {
  let y = try runOp1(
    "CastLike",
    [
      Tensor([1.899999976158142, -2.9000000953674316] as [Float], shape: [2]),
      Tensor([0] as [Int32], shape: [1])
    ], opset: 19)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([1, -2] as [Int32], shape: [2])))
}
