import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// PRelu broadcast_slope (opset 16); expected values from the ONNX reference implementation.
@Test func pReluBroadcastSlope() throws {
  let y = try runOp1(
    "PRelu",
    [
      Tensor([0.5184887051582336, 1.8862428665161133, -0.6692741513252258, -0.40689775347709656, -1.1883529424667358, -1.7971837520599365, -1.148367166519165, 1.6618576049804688, 1.3606752157211304, -1.5503770112991333, 0.4151161015033722, -0.08321402221918106, 0.37873947620391846, 0.6371000409126282, -0.7733620405197144, 1.8454034328460693, -0.13663986325263977, 0.5124034285545349, 0.5409047603607178, -1.2644424438476562, -1.7525383234024048, -0.3539327085018158, 1.0561203956604004, 1.2608871459960938] as [Float], shape: [2, 3, 4]),
      Tensor([0.9199569821357727, -1.54718017578125, 1.6534194946289062] as [Float], shape: [3, 1])
    ], opset: 16)
  #expect(y.dtype == .float)
  expectClose(y, [0.5184887051582336, 1.8862428665161133, -0.6157034039497375, -0.3743284344673157, 1.8385961055755615, 2.780567169189453, 1.7767308950424194, 1.6618576049804688, 1.3606752157211304, -2.5634236335754395, 0.4151161015033722, -0.13758768141269684, 0.37873947620391846, 0.6371000409126282, -0.7114598155021667, 1.8454034328460693, 0.21140648424625397, 0.5124034285545349, 0.5409047603607178, 1.9563202857971191, -2.8976809978485107, -0.585199236869812, 1.0561203956604004, 1.2608871459960938], shape: [2, 3, 4], tolerance: 1e-5)
}

/// PRelu scalar_slope (opset 16); expected values from the ONNX reference implementation.
@Test func pReluScalarSlope() throws {
  let y = try runOp1(
    "PRelu",
    [
      Tensor([1.208146333694458, 1.5107654333114624, 0.09321661293506622, 1.6625417470932007, -1.813391089439392] as [Float], shape: [5]),
      Tensor([0.25] as [Float], shape: [1])
    ], opset: 16)
  #expect(y.dtype == .float)
  expectClose(y, [1.208146333694458, 1.5107654333114624, 0.09321661293506622, 1.6625417470932007, -0.453347772359848], shape: [5], tolerance: 1e-5)
}

/// Opset 6 (pytorch-converted test_PReLU_1d_multiparam): a [C] slope applies along axis 1.
@Test func preluOpset6PerChannelSlope() throws {
  let x = Tensor([-1, 2, -3, 4, -5, 6] as [Float], shape: [1, 3, 2])
  let slope = Tensor([0.1, 0.2, 0.3] as [Float], shape: [3])
  let y = try runOp1("PRelu", [x, slope], opset: 6)
  expectClose(y, [-0.1, 2, -0.6, 4, -1.5, 6], shape: [1, 3, 2])
  let op = try PRelu(node: Node(opType: "PRelu"), opset: 6)
  let g = try op.backward(
    inputs: [x, slope], outputs: [y], saved: [], outputGradients: [Tensor([Float](repeating: 1, count: 6), shape: [1, 3, 2])],
    needed: [true, true], context: ExecutionContext())
  #expect(g[1]?.shape == [3])
  expectClose(try #require(g[1]), [-1, -3, -5], shape: [3])
}
