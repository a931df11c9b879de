import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Hardmax axis1_opset13 (opset 13); expected values from the ONNX reference implementation.
@Test func hardmaxAxis1Opset13() throws {
  let y = try runOp1(
    "Hardmax",
    [
      Tensor([-1.0912820100784302, -1.500374436378479, -1.8679043054580688, 0.013345791958272457, -1.5074653625488281, -1.2947825193405151, 1.441902756690979, -0.06302892416715622, -1.2651859521865845, 0.6794582605361938, -0.9365404844284058, 0.10774879902601242, -0.8681885004043579, 0.06464474648237228, 0.5141343474388123, 0.1448323130607605, -0.4175835847854614, 1.163255214691162, 1.493749737739563, -1.2825149297714233, -1.4547650814056396, -1.5472334623336792, 1.9183869361877441, 1.7663651704788208] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("axis", 1)], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0], shape: [2, 3, 4], tolerance: 1e-5)
}

/// Hardmax default_opset13 (opset 13); expected values from the ONNX reference implementation.
@Test func hardmaxDefaultOpset13() throws {
  let y = try runOp1(
    "Hardmax",
    [
      Tensor([-1.0912820100784302, -1.500374436378479, -1.8679043054580688, 0.013345791958272457, -1.5074653625488281, -1.2947825193405151, 1.441902756690979, -0.06302892416715622, -1.2651859521865845, 0.6794582605361938, -0.9365404844284058, 0.10774879902601242, -0.8681885004043579, 0.06464474648237228, 0.5141343474388123, 0.1448323130607605, -0.4175835847854614, 1.163255214691162, 1.493749737739563, -1.2825149297714233, -1.4547650814056396, -1.5472334623336792, 1.9183869361877441, 1.7663651704788208] as [Float], shape: [2, 3, 4])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0], shape: [2, 3, 4], tolerance: 1e-5)
}

/// Hardmax axis1_opset11_flattens (opset 11); expected values from the ONNX reference implementation.
@Test func hardmaxAxis1Opset11Flattens() throws {
  let y = try runOp1(
    "Hardmax",
    [
      Tensor([-1.0912820100784302, -1.500374436378479, -1.8679043054580688, 0.013345791958272457, -1.5074653625488281, -1.2947825193405151, 1.441902756690979, -0.06302892416715622, -1.2651859521865845, 0.6794582605361938, -0.9365404844284058, 0.10774879902601242, -0.8681885004043579, 0.06464474648237228, 0.5141343474388123, 0.1448323130607605, -0.4175835847854614, 1.163255214691162, 1.493749737739563, -1.2825149297714233, -1.4547650814056396, -1.5472334623336792, 1.9183869361877441, 1.7663651704788208] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("axis", 1)], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0], shape: [2, 3, 4], tolerance: 1e-5)
}

/// Hardmax ties_first (opset 13); expected values from the ONNX reference implementation.
@Test func hardmaxTiesFirst() throws {
  let y = try runOp1(
    "Hardmax",
    [
      Tensor([1.0, 3.0, 3.0, 2.0, 2.0, 1.0] as [Float], shape: [2, 3])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [0.0, 1.0, 0.0, 1.0, 0.0, 0.0], shape: [2, 3], tolerance: 1e-5)
}
