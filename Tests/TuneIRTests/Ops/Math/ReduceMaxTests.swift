import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// ReduceMax axes_input_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceMaxAxesInputKeepdims() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4]),
      Tensor([0, 2] as [Int64], shape: [2])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.8796303272247314, 1.6598236560821533, 1.0260999202728271], shape: [1, 3, 1], tolerance: 1e-5)
}

/// ReduceMax all_axes_no_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceMaxAllAxesNoKeepdims() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("keepdims", 0)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.8796303272247314], shape: [], tolerance: 1e-5)
}

/// ReduceMax axes_attribute_opset11 (opset 11); expected values from the ONNX reference implementation.
@Test func reduceMaxAxesAttributeOpset11() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.ints("axes", [-1])], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [1.8796303272247314, 1.6598236560821533, 0.39989879727363586, 1.5234280824661255, 1.3987733125686646, 1.0260999202728271], shape: [2, 3, 1], tolerance: 1e-5)
}

/// ReduceMax bool (opset 20); expected values from the ONNX reference implementation.
@Test func reduceMaxBool() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([false, true, true, false, true, false] as [Bool], shape: [2, 3]),
      Tensor([1] as [Int64], shape: [1])
    ], opset: 20)
  #expect(y.dtype == .bool)
  #expect(y.isIdentical(to: Tensor([true, true] as [Bool], shape: [2, 1])))
}

/// ReduceMax empty_set (opset 18); expected values from the ONNX reference implementation.
@Test func reduceMaxEmptySet() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([] as [Float], shape: [2, 0, 4]),
      Tensor([1] as [Int64], shape: [1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-.infinity, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity], shape: [2, 1, 4], tolerance: 1e-5)
}

/// ReduceMax noop_empty_axes (opset 18); expected values from the ONNX reference implementation.
@Test func reduceMaxNoopEmptyAxes() throws {
  let y = try runOp1(
    "ReduceMax",
    [
      Tensor([-0.9747504591941833, -1.7300949096679688, -0.30830836296081543, 1.0873452425003052, 0.8382677435874939, -1.2177101373672485] as [Float], shape: [2, 3]),
      Tensor([] as [Int64], shape: [0])
    ], attributes: [.int("noop_with_empty_axes", 1)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.9747504591941833, -1.7300949096679688, -0.30830836296081543, 1.0873452425003052, 0.8382677435874939, -1.2177101373672485], shape: [2, 3], tolerance: 1e-5)
}
