import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Where broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func whereBroadcast() throws {
  let y = try runOp1(
    "Where",
    [
      Tensor([true, false] as [Bool], shape: [2, 1]),
      Tensor([1.0109285116195679, 0.3162182867527008, -0.8012245297431946, -1.6898137331008911, 1.05272376537323, -1.4756840467453003] as [Float], shape: [2, 3]),
      Tensor([-1.467173457145691, -1.4772629737854004, -1.6749507188796997] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.0109285116195679, 0.3162182867527008, -0.8012245297431946, -1.467173457145691, -1.4772629737854004, -1.6749507188796997], shape: [2, 3], tolerance: 1e-5)
}

/// Where int64 (opset 18); expected values from the ONNX reference implementation.
@Test func whereInt64() throws {
  let y = try runOp1(
    "Where",
    [
      Tensor([true, false, true] as [Bool], shape: [3]),
      Tensor([3, 4, 3] as [Int64], shape: [3]),
      Tensor([-1] as [Int64], shape: [])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([3, -1, 3] as [Int64], shape: [3])))
}
