import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Mul scalar (opset 18); expected values from the ONNX reference implementation.
@Test func mulScalar() throws {
  let y = try runOp1(
    "Mul",
    [
      Tensor([-1.7629934549331665, -0.4494727849960327, -0.7078546285629272, -1.3992010354995728, 1.2653523683547974, -0.4822153151035309] as [Float], shape: [2, 3]),
      Tensor([1.5] as [Float], shape: [])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-2.6444902420043945, -0.6742091774940491, -1.061781883239746, -2.098801612854004, 1.8980286121368408, -0.7233229875564575], shape: [2, 3], tolerance: 1e-5)
}

/// Mul uint8 (opset 18); expected values from the ONNX reference implementation.
@Test func mulUint8() throws {
  let y = try runOp1(
    "Mul",
    [
      Tensor([8, 14, 5, 8] as [UInt8], shape: [4]),
      Tensor([6, 9, 6, 9] as [UInt8], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .uint8)
  #expect(y.isIdentical(to: Tensor([48, 126, 30, 72] as [UInt8], shape: [4])))
}
