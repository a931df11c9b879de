import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// ReduceLogSumExp axes_input_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceLogSumExpAxesInputKeepdims() throws {
  let y = try runOp1(
    "ReduceLogSumExp",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4]),
      Tensor([0, 2] as [Int64], shape: [2])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [3.101269483566284, 2.8827919960021973, 1.8955451250076294], shape: [1, 3, 1], tolerance: 1e-5)
}

/// ReduceLogSumExp all_axes_no_keepdims (opset 18); expected values from the ONNX reference implementation.
@Test func reduceLogSumExpAllAxesNoKeepdims() throws {
  let y = try runOp1(
    "ReduceLogSumExp",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.int("keepdims", 0)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [3.8447375297546387], shape: [], tolerance: 1e-5)
}

/// ReduceLogSumExp axes_attribute_opset11 (opset 11); expected values from the ONNX reference implementation.
@Test func reduceLogSumExpAxesAttributeOpset11() throws {
  let y = try runOp1(
    "ReduceLogSumExp",
    [
      Tensor([-1.077331304550171, 1.8796303272247314, -1.168729305267334, 0.025904064998030663, -0.010459823533892632, 1.6598236560821533, -1.837884545326233, -0.7385967373847961, 0.39989879727363586, -1.7344070672988892, -1.053797721862793, -0.13974618911743164, 1.5234280824661255, 1.0438381433486938, 1.3159219026565552, 1.0442790985107422, 0.8308830857276917, 1.3987733125686646, 0.7259067893028259, 0.9427322149276733, -0.7934219837188721, -1.3294371366500854, 1.0260999202728271, -1.3366508483886719] as [Float], shape: [2, 3, 4])
    ], attributes: [.ints("axes", [-1])], opset: 11)
  #expect(y.dtype == .float)
  expectClose(y, [2.107614517211914, 1.9293328523635864, 1.0599992275238037, 2.638882875442505, 2.3959991931915283, 1.327023983001709], shape: [2, 3, 1], tolerance: 1e-5)
}

/// ReduceLogSumExp large_numbers (opset 18); expected values from the ONNX reference implementation.
@Test func reduceLogSumExpLargeNumbers() throws {
  let y = try runOp1(
    "ReduceLogSumExp",
    [
      Tensor([1000.0, 1001.0, -1000.0, -1001.0] as [Float], shape: [2, 2]),
      Tensor([1] as [Int64], shape: [1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1001.313232421875, -999.686767578125], shape: [2, 1], tolerance: 1e-5)
}
