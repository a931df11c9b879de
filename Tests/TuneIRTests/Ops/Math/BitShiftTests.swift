import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitShift left_uint8 (opset 18); expected values from the ONNX reference implementation.
@Test func bitShiftLeftUint8() throws {
  let y = try runOp1(
    "BitShift",
    [
      Tensor([16, 4, 1] as [UInt8], shape: [3]),
      Tensor([1, 2, 3] as [UInt8], shape: [3])
    ], attributes: [.string("direction", "LEFT")], opset: 18)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([32, 16, 8] as [UInt8], shape: [3])))
}

/// BitShift right_uint64 (opset 18); expected values from the ONNX reference implementation.
@Test func bitShiftRightUint64() throws {
  let y = try runOp1(
    "BitShift",
    [
      Tensor([16, 4, 1] as [UInt64], shape: [3]),
      Tensor([1, 2, 3] as [UInt64], shape: [3])
    ], attributes: [.string("direction", "RIGHT")], opset: 18)
  #expect(y.dtype == .uint64)
  #expect(y.isIdentical(to: Tensor([8, 1, 0] as [UInt64], shape: [3])))
}
