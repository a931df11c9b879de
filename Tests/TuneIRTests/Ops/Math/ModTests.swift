import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Mod python_sign (opset 18); expected values from the ONNX reference implementation.
@Test func modPythonSign() throws {
  let y = try runOp1(
    "Mod",
    [
      Tensor([-4, 7, 5, 4, -7, 8] as [Int64], shape: [6]),
      Tensor([2, -3, 8, -2, 3, 5] as [Int64], shape: [6])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([0, -2, 5, 0, 2, 3] as [Int64], shape: [6])))
}

/// Mod fmod_float (opset 18); expected values from the ONNX reference implementation.
@Test func modFmodFloat() throws {
  let y = try runOp1(
    "Mod",
    [
      Tensor([-0.890447199344635, -2.6051077842712402, -4.61942720413208, 3.762188196182251, -0.32269781827926636, 0.4763520061969757] as [Float], shape: [6]),
      Tensor([1.305408239364624, -2.378312349319458, 0.5629921555519104, -1.430463194847107, 0.5758757591247559, -0.8072302341461182] as [Float], shape: [6])
    ], attributes: [.int("fmod", 1)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.890447199344635, -0.22679543495178223, -0.11548995971679688, 0.9012618064880371, -0.32269781827926636, 0.4763520061969757], shape: [6], tolerance: 1e-5)
}

/// Mod fmod_int32 (opset 18); expected values from the ONNX reference implementation.
@Test func modFmodInt32() throws {
  let y = try runOp1(
    "Mod",
    [
      Tensor([-4, 7, 5, 4, -7, 8] as [Int32], shape: [6]),
      Tensor([2, -3, 8, -2, 3, 5] as [Int32], shape: [6])
    ], attributes: [.int("fmod", 1)], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([0, 1, 5, 0, -1, 3] as [Int32], shape: [6])))
}
