import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Min three_inputs (opset 18); expected values from the ONNX reference implementation.
@Test func minThreeInputs() throws {
  let y = try runOp1(
    "Min",
    [
      Tensor([1.8685929775238037, 0.6310428977012634, -0.2871190011501312] as [Float], shape: [3]),
      Tensor([0.09496042877435684, 1.4912368059158325, -0.6231573224067688, 0.3611639440059662, 0.7347375154495239, -0.5783448815345764] as [Float], shape: [2, 3]),
      Tensor([0.07639394700527191] as [Float], shape: [1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.07639394700527191, 0.07639394700527191, -0.6231573224067688, 0.07639394700527191, 0.07639394700527191, -0.5783448815345764], shape: [2, 3], tolerance: 1e-5)
}

/// Min int16 (opset 18); expected values from the ONNX reference implementation.
@Test func minInt16() throws {
  let y = try runOp1(
    "Min",
    [
      Tensor([0, 3, 3, 5] as [Int16], shape: [4]),
      Tensor([5, -4, -1, 5] as [Int16], shape: [4])
    ], opset: 18)
  #expect(y.dtype == .int16)
  #expect(y.isIdentical(to: Tensor([0, -4, -1, 5] as [Int16], shape: [4])))
}
