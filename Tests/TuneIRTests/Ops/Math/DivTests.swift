import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Div broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func divBroadcast() throws {
  let y = try runOp1(
    "Div",
    [
      Tensor([0.7058009505271912, -1.3968479633331299, -0.23874613642692566, -1.0417441129684448, -0.39000681042671204, -1.613183617591858] as [Float], shape: [2, 3]),
      Tensor([1.9517420530319214, 0.8225060701370239] as [Float], shape: [2, 1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.36162614822387695, -0.715692937374115, -0.122324638068676, -1.2665488719940186, -0.47416892647743225, -1.9613029956817627], shape: [2, 3], tolerance: 1e-5)
}

/// Div int32_truncates (opset 18); expected values from the ONNX reference implementation.
@Test func divInt32Truncates() throws {
  let y = try runOp1(
    "Div",
    [
      Tensor([7, -7, 7, -7] as [Int32], shape: [4]),
      Tensor([2, 2, -2, -2] as [Int32], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([3, -3, -3, 3] as [Int32], shape: [4])))
}

/// Div double (opset 18); expected values from the ONNX reference implementation.
@Test func divDouble() throws {
  let y = try runOp1(
    "Div",
    [
      Tensor([0.6870606504451398, -0.7983196740837188, 1.4963081045980178] as [Double], shape: [3]),
      Tensor([2.3244294766769076, 1.2632316316166115, 2.690148641749106] as [Double], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .double)
  expectClose(y, [0.29558248909637286, -0.631966184271427, 0.5562176310172713], shape: [3], tolerance: 1e-5)
}
