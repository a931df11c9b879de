import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Abs float (opset 18); expected values from the ONNX reference implementation.
@Test func absFloat() throws {
  let y = try runOp1(
    "Abs",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.7743576765060425, 1.3311772346496582, 0.47969383001327515, 1.2514264583587646, 0.2607463598251343, 1.5356898307800293], shape: [2, 3], tolerance: 1e-5)
}

/// Abs int64 (opset 18); expected values from the ONNX reference implementation.
@Test func absInt64() throws {
  let y = try runOp1(
    "Abs",
    [
      Tensor([-3, -3, 5, -2, -1] as [Int64], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([3, 3, 5, 2, 1] as [Int64], shape: [5])))
}
