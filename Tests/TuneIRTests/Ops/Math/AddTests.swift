import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Add broadcast (opset 18); expected values from the ONNX reference implementation.
@Test func addBroadcast() throws {
  let y = try runOp1(
    "Add",
    [
      Tensor([0.5003818869590759, 1.5888551473617554, 1.1027427911758423, -1.0991712808609009, -0.7993348836898804, 1.4942138195037842, -1.9789388179779053, 1.2849136590957642, 1.1882777214050293, -0.12826019525527954, -0.7878702878952026, -0.8862975239753723, -0.9805216789245605, -0.21969477832317352, 0.018193036317825317, 0.21398940682411194, 1.9820011854171753, 1.1706476211547852, 0.4887169301509857, 1.9558405876159668, -1.1387652158737183, -1.359151840209961, 0.45015841722488403, -1.8242319822311401] as [Float], shape: [2, 3, 4]),
      Tensor([-1.8572789430618286, 0.059555280953645706, -0.1351758986711502, 1.6686711311340332] as [Float], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-1.3568971157073975, 1.648410439491272, 0.9675669074058533, 0.5694998502731323, -2.656613826751709, 1.5537691116333008, -2.114114761352539, 2.953584671020508, -0.6690012216567993, -0.06870491802692413, -0.9230461716651917, 0.7823736071586609, -2.8378005027770996, -0.16013950109481812, -0.11698286235332489, 1.8826605081558228, 0.12472224235534668, 1.2302029132843018, 0.3535410165786743, 3.62451171875, -2.996044158935547, -1.2995965480804443, 0.314982533454895, -0.15556085109710693], shape: [2, 3, 4], tolerance: 1e-5)
}

/// Add int8_wraps (opset 18); expected values from the ONNX reference implementation.
@Test func addInt8Wraps() throws {
  let y = try runOp1(
    "Add",
    [
      Tensor([120, -3, 5] as [Int8], shape: [3]),
      Tensor([10, 2, -9] as [Int8], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .int8)
  #expect(y.isIdentical(to: Tensor([-126, -1, -4] as [Int8], shape: [3])))
}

/// Add uint64 (opset 18); expected values from the ONNX reference implementation.
@Test func addUint64() throws {
  let y = try runOp1(
    "Add",
    [
      Tensor([82, 62, 44] as [UInt64], shape: [3]),
      Tensor([51, 26, 49] as [UInt64], shape: [3])
    ], opset: 18)
  #expect(y.dtype == .uint64)
  #expect(y.isIdentical(to: Tensor([133, 88, 93] as [UInt64], shape: [3])))
}
