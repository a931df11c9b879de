import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// `BatchNormFolding(keeping:)` and `ConvActivationFusion(keeping:)`: the inference rewrites
/// restricted to the part of the graph no trainable weight influences.
@Suite struct FrozenPrefixRewriteTests {
  /// x[batch,3,6,6] → three layers `Conv(wK, bK) → BatchNorm(sK, tK, mK, vK) → Relu`, the
  /// outputs named l1, l2, y.
  static func model() -> Model {
    var nodes: [Node] = []
    var inits: [TensorProto] = []
    var x = "x"
    let same: [Attribute] = [.ints("pads", [1, 1, 1, 1]), .ints("kernel_shape", [3, 3])]
    for k in 1...3 {
      let out = k == 3 ? "y" : "l\(k)"
      let cin = k == 1 ? 3 : 4
      nodes.append(Node(opType: "Conv", inputs: [x, "w\(k)", "b\(k)"], outputs: ["c\(k)"], name: "conv\(k)", attributes: same))
      nodes.append(
        Node(opType: "BatchNormalization", inputs: ["c\(k)", "s\(k)", "t\(k)", "m\(k)", "v\(k)"], outputs: ["n\(k)"], name: "bn\(k)"))
      nodes.append(Node(opType: "Relu", inputs: ["n\(k)"], outputs: [out], name: "relu\(k)"))
      let seed = UInt64(10 * k)
      inits += [
        SyntheticModels.initializer("w\(k)", [4, cin, 3, 3], seed: seed),
        SyntheticModels.initializer("b\(k)", [4], seed: seed + 1),
        SyntheticModels.initializer("s\(k)", [4], seed: seed + 2, positive: true),
        SyntheticModels.initializer("t\(k)", [4], seed: seed + 3),
        SyntheticModels.initializer("m\(k)", [4], seed: seed + 4),
        SyntheticModels.initializer("v\(k)", [4], seed: seed + 5, positive: true),
      ]
      x = out
    }
    let g = Graph(
      nodes: nodes, name: "layers", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("batch"), .value(3), .value(6), .value(6)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.symbol("batch"), .value(4), .value(6), .value(6)]))])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "tests", graph: g)
  }

  /// The model after InferenceSession's rewrites, restricted to what `trainable` leaves frozen.
  static func rewritten(keeping trainable: Set<String>) throws -> Model {
    var m = model()
    ConvActivationFusion.prepare(&m)
    try PassDriver.run(
      [
        BatchNormFolding(keeping: trainable), DeadNodeElimination(), ConvActivationFusion(keeping: trainable),
        DeadNodeElimination(),
      ], on: &m)
    return m
  }

  static func ops(_ m: Model) -> [String] { m.graph!.nodes.map { $0.opType ?? "?" } }

  @Test func valuesDependingOnNames() {
    let g = Self.model().graph!
    #expect(g.values(dependingOn: []).isEmpty)
    #expect(g.values(dependingOn: ["w3"]) == ["w3", "c3", "n3", "y"])
    #expect(g.values(dependingOn: ["t2"]) == ["t2", "n2", "l2", "c3", "n3", "y"])
  }

  @Test func unrestrictedFoldsAndFusesEveryLayer() throws {
    let m = try Self.rewritten(keeping: [])
    #expect(Self.ops(m) == ["FusedConv", "FusedConv", "FusedConv"])
  }

  @Test func aFrozenPrefixIsRewrittenAndWhatFollowsATrainableLayerIsNot() throws {
    // conv2's weight trains: layer 1 is folded and fused; layer 2 (the trainable Conv and its
    // BatchNorm) and layer 3 (frozen, but after the trainable layer) stay as written.
    let m = try Self.rewritten(keeping: ["w2"])
    #expect(Self.ops(m) == ["FusedConv", "Conv", "BatchNormalization", "Relu", "Conv", "BatchNormalization", "Relu"])
    let g = m.graph!
    #expect(g.nodes[0].inputs == ["x", "conv1.bn_folded_weight", "conv1.bn_folded_bias"] && g.nodes[0].outputs == ["l1"])
    #expect(g.nodes[1].inputs == ["l1", "w2", "b2"])
    #expect(g.nodes[4].inputs == ["l2", "w3", "b3"])
    for name in ["w2", "b2", "s2", "t2", "m2", "v2", "w3", "b3", "s3", "t3", "m3", "v3"] {
      #expect(g.initializer(named: name) != nil, "\(name) kept")
    }
    #expect(g.initializer(named: "w1") == nil && g.initializer(named: "s1") == nil)
  }

  @Test func aTrainableBatchNormIsNotFolded() throws {
    // Only bn2's scale trains (the BatchNorm runs in training mode): conv2 and bn2 stay; the
    // Conv has no activation after it to fuse with.
    for trainable: Set<String> in [["s2"], ["t2"]] {
      let m = try Self.rewritten(keeping: trainable)
      #expect(Self.ops(m) == ["FusedConv", "Conv", "BatchNormalization", "Relu", "Conv", "BatchNormalization", "Relu"])
      #expect(m.graph!.nodes[2].inputs == ["c2", "s2", "t2", "m2", "v2"])
    }
    // The last BatchNorm trains: the first two layers are rewritten.
    let m = try Self.rewritten(keeping: ["s3", "t3"])
    #expect(Self.ops(m) == ["FusedConv", "FusedConv", "Conv", "BatchNormalization", "Relu"])
  }

  @Test func aTrainableConvFeedingAnActivationIsNotFused() throws {
    var m = Self.model()
    // Drop bn1: conv1 → relu1 directly, conv1's weight trainable.
    m.graph!.nodes.remove(at: 1)
    m.graph!.nodes[1].inputs = ["c1"]
    ConvActivationFusion.prepare(&m)
    var kept = m
    try PassDriver.run([ConvActivationFusion(keeping: ["w1"])], on: &kept)
    #expect(kept.graph!.nodes.prefix(2).map { $0.opType ?? "" } == ["Conv", "Relu"])
    var fused = m
    try PassDriver.run([ConvActivationFusion()], on: &fused)
    #expect(fused.graph!.nodes.first?.opType == "FusedConv")
  }

  @Test func theRewrittenPrefixComputesWhatTheOriginalDoes() throws {
    var r = SeededRandom(seed: 3)
    let x = Tensor((0..<(2 * 3 * 36)).map { _ in r.nextFloat() * 2 - 1 }, shape: [2, 3, 6, 6])
    let reference = try InferenceSession(model: Self.model()).run(["x": x])["y"]!.floatValues()
    let out = try InferenceSession(model: try Self.rewritten(keeping: ["w2"])).run(["x": x])["y"]!.floatValues()
    // Folding changes the rounding: within float rounding of the largest output.
    let worst = zip(reference, out).map { abs($0 - $1) }.max() ?? 0
    let largest = reference.map(abs).max() ?? 0
    #expect(largest > 1 && worst <= 1e-6 * largest, "differs by \(worst) (largest output \(largest))")
  }
}
