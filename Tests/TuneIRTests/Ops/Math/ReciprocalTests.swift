import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Reciprocal float (opset 18); expected values from the ONNX reference implementation.
@Test func reciprocalFloat() throws {
  let y = try runOp1(
    "Reciprocal",
    [
      Tensor([0.8720879554748535, 1.6547480821609497, 2.2701616287231445, 2.700101613998413, 0.46465039253234863, 0.6343836188316345] as [Float], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.146673321723938, 0.6043215990066528, 0.4404972791671753, 0.3703564405441284, 2.152155637741089, 1.5763332843780518], shape: [2, 3], tolerance: 1e-5)
}
