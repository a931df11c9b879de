import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Max three_inputs (opset 18); expected values from the ONNX reference implementation.
@Test func maxThreeInputs() throws {
  let y = try runOp1(
    "Max",
    [
      Tensor([-1.9792845249176025, 1.0119099617004395, 1.2421072721481323] as [Float], shape: [3]),
      Tensor([-1.4529438018798828, -0.324385404586792, 1.261025071144104, -1.9429152011871338, 0.5138477683067322, 1.1720945835113525] as [Float], shape: [2, 3]),
      Tensor([0.05201433226466179] as [Float], shape: [1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.05201433226466179, 1.0119099617004395, 1.261025071144104, 0.05201433226466179, 1.0119099617004395, 1.2421072721481323], shape: [2, 3], tolerance: 1e-5)
}

/// Max uint32 (opset 18); expected values from the ONNX reference implementation.
@Test func maxUint32() throws {
  let y = try runOp1(
    "Max",
    [
      Tensor([0, 4, 1, 1] as [UInt32], shape: [4]),
      Tensor([1, 1, 5, 2] as [UInt32], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .uint32)
  #expect(y.isIdentical(to: Tensor([1, 4, 5, 2] as [UInt32], shape: [4])))
}

/// Max nan_propagates (opset 18); expected values from the ONNX reference implementation.
@Test func maxNanPropagates() throws {
  let y = try runOp1(
    "Max",
    [
      Tensor([1.0, .nan, 3.0] as [Float], shape: [3]),
      Tensor([2.0, 0.0, .nan] as [Float], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [2.0, .nan, .nan], shape: [3], tolerance: 1e-5)
}
