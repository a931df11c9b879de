import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// ArgMin axis0 (opset 18); expected values from the ONNX reference implementation.
@Test func argMinAxis0() throws {
  let y = try runOp1(
    "ArgMin",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("axis", 0)], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1] as [Int64], shape: [1, 3, 4])))
}

/// ArgMin last_index_ties (opset 18); expected values from the ONNX reference implementation.
@Test func argMinLastIndexTies() throws {
  let y = try runOp1(
    "ArgMin",
    [
      Tensor([2.0, 1.0, 1.0, 3.0, 1.0, 3.0] as [Float], shape: [2, 3])
    ], attributes: [.int("axis", 1), .int("keepdims", 0), .int("select_last_index", 1)], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([2, 1] as [Int64], shape: [2])))
}
