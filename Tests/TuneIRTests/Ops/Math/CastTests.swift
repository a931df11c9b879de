import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Cast float_to_int64 (opset 19); expected values from the ONNX reference implementation.
@Test func castFloatToInt64() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([1.7000000476837158, -1.7000000476837158, 0.20000000298023224, 300.5] as [Float], shape: [4])
    ], attributes: [.int("to", 7)], opset: 19)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([1, -1, 0, 300] as [Int64], shape: [4])))
}

/// Cast float_to_double (opset 19); expected values from the ONNX reference implementation.
@Test func castFloatToDouble() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([1.514763593673706, -1.2086315155029297, -0.18283699452877045] as [Float], shape: [3])
    ], attributes: [.int("to", 11)], opset: 19)
  #expect(y.dtype == .double)
  expectClose(y, [1.514763593673706, -1.2086315155029297, -0.18283699452877045], shape: [3], tolerance: 1e-5)
}

/// Cast double_to_float16 (opset 19); expected values from the ONNX reference implementation.
@Test func castDoubleToFloat16() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([1.001147528956813, 0.8292615440983768, 0.21383602368519394, 1.2281829877055617] as [Double], shape: [4])
    ], attributes: [.int("to", 10)], opset: 19)
  #expect(y.dtype == .float16)
  expectClose(y, [1.0009765625, 0.8291015625, 0.2138671875, 1.228515625], shape: [4], tolerance: 1e-3)
}

/// Cast int64_to_float (opset 19); expected values from the ONNX reference implementation.
@Test func castInt64ToFloat() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([-4, 0, 4, 1] as [Int64], shape: [4])
    ], attributes: [.int("to", 1)], opset: 19)
  #expect(y.dtype == .float)
  expectClose(y, [-4.0, 0.0, 4.0, 1.0], shape: [4], tolerance: 1e-5)
}

/// Cast float_to_bool (opset 19); expected values from the ONNX reference implementation.
@Test func castFloatToBool() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([0.0, 1.5, -2.0, 0.0] as [Float], shape: [4])
    ], attributes: [.int("to", 9)], opset: 19)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([false, true, true, false] as [Bool], shape: [4])))
}

/// Cast bool_to_float (opset 19); expected values from the ONNX reference implementation.
@Test func castBoolToFloat() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([true, false] as [Bool], shape: [2])
    ], attributes: [.int("to", 1)], opset: 19)
  #expect(y.dtype == .float)
  expectClose(y, [1.0, 0.0], shape: [2], tolerance: 1e-5)
}

/// Cast int32_to_uint8 (opset 19); expected values from the ONNX reference implementation.
@Test func castInt32ToUint8() throws {
  let y = try runOp1(
    "Cast",
    [
      Tensor([0, 7, 255] as [Int32], shape: [3])
    ], attributes: [.int("to", 2)], opset: 19)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([0, 7, 255] as [UInt8], shape: [3])))
}
