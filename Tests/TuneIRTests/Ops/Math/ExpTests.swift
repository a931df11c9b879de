import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Exp float (opset 18); expected values from the ONNX reference implementation.
@Test func expFloat() throws {
  let y = try runOp1(
    "Exp",
    [
      Tensor([-0.7743576765060425, 1.3311772346496582, 0.47969383001327515, -1.2514264583587646, -0.2607463598251343, 1.5356898307800293] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.46099981665611267, 3.7854971885681152, 1.615579605102539, 0.2860964238643646, 0.7704762816429138, 4.644528865814209], shape: [2, 3], tolerance: 1e-5)
}

/// Exp double (opset 18); expected values from the ONNX reference implementation.
@Test func expDouble() throws {
  let y = try runOp1(
    "Exp",
    [
      Tensor([1.301293601200161, 1.6822877799854443, -1.5064743428897027, -1.6327603473935621] as [Double], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .double)
  expectClose(y, [3.674046345624463, 5.377845234889228, 0.22169020539290343, 0.19538948619573704], shape: [4], tolerance: 1e-5)
}
