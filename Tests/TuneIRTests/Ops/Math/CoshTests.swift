import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Cosh float (opset 18); expected values from the ONNX reference implementation.
@Test func coshFloat() throws {
  let y = try runOp1(
    "Cosh",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.3150990009307861, 2.024831771850586, 1.1172763109207153, 1.8907108306884766, 1.0341874361038208, 2.429917812347412], shape: [2, 3], tolerance: 1e-5)
}
