import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// BitCast float_to_int32 (opset 26); expected values from the ONNX reference implementation.
@Test func bitCastFloatToInt32() throws {
  let y = try runOp1(
    "BitCast",
    [
      Tensor([1.0, -2.0, 0.5] as [Float], shape: [3])
    ], attributes: [.int("to", 6)], opset: 26)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([1065353216, -1073741824, 1056964608] as [Int32], shape: [3])))
}
