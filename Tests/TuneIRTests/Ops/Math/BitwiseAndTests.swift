import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitwiseAnd int32_broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseAndInt32Broadcast() throws {
  let y = try runOp1(
    "BitwiseAnd",
    [
      Tensor([5, 33, 16, 25, 17, -25] as [Int32], shape: [2, 3]),
      Tensor([29, 18, 21] as [Int32], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([5, 0, 16, 25, 16, 5] as [Int32], shape: [2, 3])))
}

/// BitwiseAnd uint8 (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseAndUint8() throws {
  let y = try runOp1(
    "BitwiseAnd",
    [
      Tensor([28, 46, 87, 74] as [UInt8], shape: [4]),
      Tensor([162, 74, 63, 109] as [UInt8], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([0, 10, 23, 72] as [UInt8], shape: [4])))
}
