import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitwiseXor int32_broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseXorInt32Broadcast() throws {
  let y = try runOp1(
    "BitwiseXor",
    [
      Tensor([-24, -19, 38, -19, -1, 43] as [Int32], shape: [2, 3]),
      Tensor([34, 6, 3] as [Int32], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([-54, -21, 37, -49, -7, 40] as [Int32], shape: [2, 3])))
}

/// BitwiseXor uint8 (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseXorUint8() throws {
  let y = try runOp1(
    "BitwiseXor",
    [
      Tensor([56, 220, 57, 79] as [UInt8], shape: [4]),
      Tensor([137, 126, 19, 50] as [UInt8], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([177, 162, 42, 125] as [UInt8], shape: [4])))
}
