import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Mean three_inputs (opset 18); expected values from the ONNX reference implementation.
@Test func meanThreeInputs() throws {
  let y = try runOp1(
    "Mean",
    [
      Tensor([1.5127514600753784, -0.3534153997898102, 1.6910382509231567] as [Float], shape: [3]),
      Tensor([-1.725138545036316, -0.2800125479698181, 0.07805927842855453, 1.8037527799606323, -0.9960030317306519, 1.2241566181182861] as [Float], shape: [2, 3]),
      Tensor([0.7058848142623901, 0.8683435916900635] as [Float], shape: [2, 1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.16449923813343048, 0.024152278900146484, 0.8249940872192383, 1.3949493169784546, -0.160358265042305, 1.2611795663833618], shape: [2, 3], tolerance: 1e-5)
}
