import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitwiseOr int32_broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseOrInt32Broadcast() throws {
  let y = try runOp1(
    "BitwiseOr",
    [
      Tensor([6, 49, 1, -15, -18, -6] as [Int32], shape: [2, 3]),
      Tensor([46, 18, 12] as [Int32], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([46, 51, 13, -1, -2, -2] as [Int32], shape: [2, 3])))
}

/// BitwiseOr uint8 (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseOrUint8() throws {
  let y = try runOp1(
    "BitwiseOr",
    [
      Tensor([148, 197, 241, 71] as [UInt8], shape: [4]),
      Tensor([226, 218, 96, 85] as [UInt8], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([246, 223, 241, 87] as [UInt8], shape: [4])))
}
