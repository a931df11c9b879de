import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// ReduceSumSquare axes_input_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceSumSquareAxesInputKeepdims() throws {
  let y = try runOp1(
    "ReduceSumSquare",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4]),
      Tensor([0, 2] as [Int64], shape: [2])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [12.292852401733398, 10.741086959838867, 9.534543991088867], shape: [1, 3, 1], tolerance: 1e-5)
}

/// ReduceSumSquare all_axes_no_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceSumSquareAllAxesNoKeepdims() throws {
  let y = try runOp1(
    "ReduceSumSquare",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("keepdims", 0)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [32.5684814453125], shape: [], tolerance: 1e-5)
}

/// ReduceSumSquare axes_attribute_opset11 (opset 11); expected values from the ONNX reference implementation.
@Test func reduceSumSquareAxesAttributeOpset11() throws {
  let y = try runOp1(
    "ReduceSumSquare",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.ints("axes", [-1])], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [6.0602521896362305, 6.678468704223633, 4.298105716705322, 6.232600688934326, 4.062618255615234, 5.236438274383545], shape: [2, 3, 1], tolerance: 1e-5)
}

/// ReduceSumSquare noop_empty_axes_squares (opset 18); expected values from the ONNX reference implementation.
@Test func reduceSumSquareNoopEmptyAxesSquares() throws {
  let y = try runOp1(
    "ReduceSumSquare",
    [
      Tensor([-1.0153453350067139, 0.57342928647995, -0.493509978055954, 0.5486540794372559, -0.9674604535102844, -0.09385190904140472] as [Float], shape: [2, 3]),
      Tensor([] as [Int64], shape: [0])
    ], attributes: [.int("noop_with_empty_axes", 1)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.0309261083602905, 0.3288211524486542, 0.243552103638649, 0.3010213077068329, 0.9359797239303589, 0.008808180689811707], shape: [2, 3], tolerance: 1e-5)
}
