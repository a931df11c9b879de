import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitwiseNot int16 (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseNotInt16() throws {
  let y = try runOp1(
    "BitwiseNot",
    [
      Tensor([98, -16, -45, 65] as [Int16], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .int16)
  #expect(y.isIdentical(to: Tensor([-99, 15, 44, -66] as [Int16], shape: [4])))
}

/// BitwiseNot uint64 (opset 18); expected values from the ONNX reference implementation.
@Test func bitwiseNotUint64() throws {
  let y = try runOp1(
    "BitwiseNot",
    [
      Tensor([46, 82, 15] as [UInt64], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .uint64)
  #expect(y.isIdentical(to: Tensor([18446744073709551569, 18446744073709551533, 18446744073709551600] as [UInt64], shape: [3])))
}
