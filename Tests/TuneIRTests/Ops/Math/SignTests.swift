import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sign float (opset 18); expected values from the ONNX reference implementation.
@Test func signFloat() throws {
  let y = try runOp1(
    "Sign",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-1.0, 1.0, 1.0, -1.0, -1.0, 1.0], shape: [2, 3], tolerance: 1e-5)
}

/// Sign int64 (opset 18); expected values from the ONNX reference implementation.
@Test func signInt64() throws {
  let y = try runOp1(
    "Sign",
    [
      Tensor([5, -4, -4, -2, 2] as [Int64], shape: [5])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([1, -1, -1, -1, 1] as [Int64], shape: [5])))
}
