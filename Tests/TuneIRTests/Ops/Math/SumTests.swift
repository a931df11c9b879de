import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sum three_inputs (opset 18); expected values from the ONNX reference implementation.
@Test func sumThreeInputs() throws {
  let y = try runOp1(
    "Sum",
    [
      Tensor([-1.2823759317398071, -0.615754246711731, 1.7924962043762207] as [Float], shape: [3]),
      Tensor([0.2933308780193329, -0.6397277116775513, -0.9139015078544617, 1.8081579208374023, -0.22208715975284576, 1.9215790033340454] as [Float], shape: [2, 3]),
      Tensor([0.0620906762778759, 0.08466451615095139] as [Float], shape: [2, 1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-0.9269543290138245, -1.1933913230895996, 0.9406853914260864, 0.6104465126991272, -0.7531768679618835, 3.7987396717071533], shape: [2, 3], tolerance: 1e-5)
}

/// Sum one_input (opset 18); expected values from the ONNX reference implementation.
@Test func sumOneInput() throws {
  let y = try runOp1(
    "Sum",
    [
      Tensor([1.5861620903015137, 0.9710696935653687, 0.3226114511489868, -0.2934019863605499] as [Float], shape: [2, 2])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.5861620903015137, 0.9710696935653687, 0.3226114511489868, -0.2934019863605499], shape: [2, 2], tolerance: 1e-5)
}
