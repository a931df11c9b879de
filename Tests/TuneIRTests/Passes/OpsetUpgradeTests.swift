import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// `OpsetUpgrade`: an opset-11 graph using every rewritten op gives the same outputs at
/// opsets 13, 18 and 21 (A/B with our executor, within 1e-6); the files go to
/// check_surgery.py (onnx.checker full check + onnxruntime) as `pair__upgrade__*`.
@Suite struct OpsetUpgradeTests {
  static func model() -> Model {
    let nodes = [
      Node(opType: "Softmax", inputs: ["x"], outputs: ["s"], name: "softmax_mid", attributes: [.int("axis", 1)]),
      Node(opType: "ReduceMean", inputs: ["s"], outputs: ["m"], name: "mean", attributes: [.ints("axes", [2]), .int("keepdims", 0)]),
      Node(opType: "Unsqueeze", inputs: ["m"], outputs: ["u"], name: "unsqueeze", attributes: [.ints("axes", [1])]),
      Node(opType: "ReduceSum", inputs: ["u"], outputs: ["r"], name: "sum", attributes: [.ints("axes", [1]), .int("keepdims", 1)]),
      Node(opType: "Squeeze", inputs: ["r"], outputs: ["q"], name: "squeeze", attributes: [.ints("axes", [1])]),
      Node(opType: "Dropout", inputs: ["q"], outputs: ["d"], name: "dropout", attributes: [.float("ratio", 0.3)]),
      Node(opType: "Split", inputs: ["d"], outputs: ["a", "b"], name: "split", attributes: [.int("axis", 1), .ints("split", [1, 2])]),
      Node(opType: "LogSoftmax", inputs: ["b"], outputs: ["y"], name: "logsoftmax_last", attributes: [.int("axis", 1)]),
    ]
    let graph = Graph(
      nodes: nodes, name: "upgrade",
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(3), .value(4)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.symbol("N"), .value(2)])), ValueInfo(name: "a", type: .tensor(.float, [.symbol("N"), .value(1)]))])
    return Model(irVersion: 6, opsetImports: [OperatorSetID(domain: "", version: 11)], producerName: "test", graph: graph)
  }

  @Test func upgradesKeepTheOutputs() throws {
    let before = Self.model()
    try SurgeryOutput.save(before, as: "pair__upgrade__before")
    var rng = SeededRandom(seed: 3)
    let x = Tensor((0..<24).map { _ in rng.nextFloat() * 4 - 2 }, shape: [2, 3, 4])
    let expected = try Executor.run(try ExecutionPlan(model: before), inputs: ["x": x])
    for target in [13, 18, 21] {
      var model = before
      try OpsetUpgrade.upgrade(&model, to: target)
      #expect(model.opsetVersion() == target)
      #expect(!model.graph!.nodes.contains { $0.attribute("axes") != nil && target >= 18 })
      let got = try Executor.run(try ExecutionPlan(model: model), inputs: ["x": x])
      for (g, e) in zip(got, expected) {
        for (u, v) in zip(g.floatValues(), e.floatValues()) { #expect(abs(u - v) <= 1e-6, "opset \(target)") }
      }
      try SurgeryOutput.save(model, as: "pair__upgrade__opset\(target)")
    }
  }

  @Test func refusesWhatItCannotDoSafely() throws {
    var model = Self.model()
    #expect(throws: PassError.self) { try OpsetUpgrade.upgrade(&model, to: 10) }
    model.graph!.nodes.append(Node(opType: "Scan", inputs: ["y"], outputs: ["z"], name: "scan"))
    #expect(throws: PassError.self) { try OpsetUpgrade.upgrade(&model, to: 18) }
    var unknown = Self.model()
    unknown.graph!.nodes.append(Node(opType: "LpNormalization", inputs: ["y"], outputs: ["z"], name: "lp"))
    do {
      try OpsetUpgrade.upgrade(&unknown, to: 18)
      Issue.record("expected an error")
    } catch let e as PassError {
      #expect(e.description.contains("LpNormalization is not known to keep its meaning"))
    }
  }
}
