import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Pow float (opset 18); expected values from the ONNX reference implementation.
@Test func powFloat() throws {
  let y = try runOp1(
    "Pow",
    [
      Tensor([1.8954014778137207, 1.8174419403076172, 1.1824663877487183, 0.37637391686439514, 0.46568062901496887, 1.8630207777023315] as [Float], shape: [2, 3]),
      Tensor([0.6569794416427612, -0.4583424925804138, 1.6521706581115723] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.5221028327941895, 0.7604632377624512, 1.319044828414917, 0.5262483358383179, 1.4194800853729248, 2.7954115867614746], shape: [2, 3], tolerance: 1e-5)
}

/// Pow float_int64_exponent (opset 18); expected values from the ONNX reference implementation.
@Test func powFloatInt64Exponent() throws {
  let y = try runOp1(
    "Pow",
    [
      Tensor([1.462357521057129, 1.3545414209365845, 1.0644317865371704] as [Float], shape: [3]),
      Tensor([2, 3, -1] as [Int64], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [2.1384894847869873, 2.4852888584136963, 0.9394683837890625], shape: [3], tolerance: 1e-5)
}

/// Pow int64 (opset 18); expected values from the ONNX reference implementation.
@Test func powInt64() throws {
  let y = try runOp1(
    "Pow",
    [
      Tensor([1, 2, 3] as [Int64], shape: [3]),
      Tensor([4, 5, 2] as [Int64], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([1, 32, 9] as [Int64], shape: [3])))
}
