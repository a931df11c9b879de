import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// SoftmaxCrossEntropyLoss mean (opset 13); expected values from the ONNX reference implementation.
@Test func softmaxCrossEntropyLossMean() throws {
  let y = try runOp1(
    "SoftmaxCrossEntropyLoss",
    [
      Tensor([1.69524085521698, 1.5739634037017822, 0.6732878684997559, -1.8022106885910034, 0.6532341241836548, 0.4013907313346863, 1.088823676109314, -1.1446737051010132, 1.813423991203308, 1.5447885990142822, -1.5425714254379272, -0.739192545413971, -1.8702232837677002, 1.3237888813018799, 1.6603789329528809] as [Float], shape: [3, 5]),
      Tensor([0, 4, 2] as [Int64], shape: [3])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [2.1094040870666504], shape: [], tolerance: 1e-5)
}

/// SoftmaxCrossEntropyLoss sum_NCd_weight (opset 13); expected values from the ONNX reference implementation.
@Test func softmaxCrossEntropyLossSumNCdWeight() throws {
  let y = try runOp1(
    "SoftmaxCrossEntropyLoss",
    [
      Tensor([1.959236979484558, 0.4477000832557678, 0.6639423370361328, 0.7136221528053284, 0.28059375286102295, 1.8096916675567627, 0.43144491314888, -0.6570958495140076, 0.051508959382772446, -1.9253485202789307, 0.8965052366256714, 0.7756842970848083, -0.3157954216003418, 1.4059243202209473, 1.0221043825149536, -0.6532616019248962, -1.6900081634521484, -1.4711079597473145, -1.262911081314087, -0.7843278646469116, -0.20993711054325104, 1.7119863033294678, -0.886328399181366, 1.5943427085876465] as [Float], shape: [2, 3, 4]),
      Tensor([2, 2, 1, 2, 0, 1, 1, 0] as [Int64], shape: [2, 4]),
      Tensor([1.0, 2.0, 0.5] as [Float], shape: [3])
    ], attributes: [.string("reduction", "sum")], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [21.99934196472168], shape: [], tolerance: 1e-5)
}

@Test func softmaxCrossEntropyLossReturnsLogProbWhenAsked() throws {
  let node = Node(opType: "SoftmaxCrossEntropyLoss", inputs: ["x", "y"], outputs: ["loss", "log_prob"])
  let op = try SoftmaxCrossEntropyLoss(node: node, opset: 13)
  let x = Tensor([1, 2, 3, 0, 0, 0] as [Float], shape: [2, 3])
  let out = try op.forward([x, Tensor([2, 0] as [Int64], shape: [2])], context: ExecutionContext())
  #expect(out.count == 2)
  // log_softmax([1, 2, 3]) = [-2.4076059, -1.4076059, -0.40760596]; of zeros = -ln 3.
  expectClose(out[1], [-2.4076059, -1.4076059, -0.40760596, -1.0986123, -1.0986123, -1.0986123], shape: [2, 3])
  expectClose(out[0], [(0.40760596 + 1.0986123) / 2], shape: [])
  #expect(throws: OpError.self) {
    try op.forward([x, Tensor([3, 0] as [Int64], shape: [2])], context: ExecutionContext())
  }
}
