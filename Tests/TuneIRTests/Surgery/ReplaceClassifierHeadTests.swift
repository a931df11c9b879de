import Testing
import TuneIR
import TuneTensor

@Suite struct ReplaceClassifierHeadTests {
  static let spec = "dense:32:relu,dropout:0.3,batchnorm,dense:CLASSES"

  /// Detects the head, replaces it and removes the old one.
  static func replaced(_ fixture: String, spec: String = spec, classes: Int? = 5, cutAt: String? = nil, seed: UInt64 = 7)
    throws -> (Model, ClassifierHead)
  {
    var model = try FixtureModels.load(fixture)
    let head = try HeadDetector.detect(model, options: .init(cutAt: cutAt))
    try PassDriver.run(
      [ReplaceClassifierHead(head: head, spec: try HeadSpec(parsing: spec), classes: classes, seed: seed), DeadNodeElimination()],
      on: &model)
    return (model, head)
  }

  @Test(arguments: FixtureModels.all)
  func newHeadKeepsTheOutputName(fixture: String) throws {
    let original = try FixtureModels.load(fixture)
    let (model, old) = try Self.replaced(fixture)
    let g = model.graph!
    try GraphVerifier.verify(g)
    #expect(g.outputs.map(\.name) == original.graph!.outputs.map(\.name))
    let out = g.outputs[0]
    #expect(out.type?.tensorDims?.last == .value(5))
    #expect(out.type?.tensorDims?.first == original.graph!.outputs[0].type?.tensorDims?.first)
    // Old head weights are gone (initializers and Constant nodes alike), new ones are there.
    for w in old.weights { #expect(!g.isConstant(w.name), "\(w.name) still there") }
    let headOps = g.nodes.filter { $0.name?.hasPrefix("head/") == true }.map { $0.opType ?? "" }
    #expect(headOps == ["Gemm", "Relu", "Dropout", "BatchNormalization", "Gemm"] + (old.outputActivation.map { [$0] } ?? []))
    let width = Int(old.featureShape!.dims!.last!.fixedValue!)
    #expect(g.initializer(named: "head.dense_0.weight")?.data.shape == [32, width])
    #expect(g.initializer(named: "head.dense_1.weight")?.data.shape == [5, 32])
    #expect(g.initializer(named: "head.batchnorm_0.running_var")?.data.floatValues() == [Float](repeating: 1, count: 32))
    // The old head's Softmax is kept as the output activation.
    #expect(g.nodes.last?.opType == (old.outputActivation ?? "Gemm"))
    #expect(g.nodes.last?.outputs == [old.output])
    // The new head is what the detector now finds.
    let again = try HeadDetector.detect(model)
    #expect(again.numberOfClasses == 5)
    #expect(again.layers.first?.weight == "head.dense_1.weight")
    try SurgeryOutput.save(model, as: "replaced_" + fixture.replacingOccurrences(of: "/", with: "_"))
  }

  @Test func initializationIsSeededAndScaled() throws {
    let (a, _) = try Self.replaced("torch_cnn", seed: 1)
    let (b, _) = try Self.replaced("torch_cnn", seed: 1)
    let (c, _) = try Self.replaced("torch_cnn", seed: 2)
    let wa = a.graph!.initializer(named: "head.dense_0.weight")!.data.floatValues()
    #expect(wa == b.graph!.initializer(named: "head.dense_0.weight")!.data.floatValues())
    #expect(wa != c.graph!.initializer(named: "head.dense_0.weight")!.data.floatValues())
    // He uniform for the relu layer: |w| <= sqrt(6/16); Glorot for the last: sqrt(6/(32+5)).
    #expect(wa.allSatisfy { abs($0) <= (6.0 / 16.0).squareRoot() })
    #expect(wa.map { abs($0) }.max()! > 0.3)
    let w1 = a.graph!.initializer(named: "head.dense_1.weight")!.data.floatValues()
    #expect(w1.allSatisfy { abs($0) <= (6.0 / 37.0).squareRoot() })
    #expect(a.graph!.initializer(named: "head.dense_0.bias")!.data.floatValues().allSatisfy { $0 == 0 })
  }

  @Test func fourDimensionalFeaturesNeedPoolingOrFlatten() throws {
    let (model, _) = try Self.replaced(
      "torch_cnn", spec: "flatten,dense:CLASSES", classes: 3, cutAt: "/pool/GlobalAveragePool_output_0")
    #expect(model.graph!.nodes.suffix(2).map(\.opType) == ["Flatten", "Gemm"])
    #expect(model.graph!.initializer(named: "head.dense_0.weight")?.data.shape == [3, 16])
    try SurgeryOutput.save(model, as: "cut_flatten_torch_cnn")

    let (pooled, _) = try Self.replaced(
      "torch_cnn", spec: "globalavgpool,flatten,dense:CLASSES", classes: 4, cutAt: "/features/features.7/MaxPool_output_0")
    #expect(pooled.graph!.nodes.suffix(3).map(\.opType) == ["GlobalAveragePool", "Flatten", "Gemm"])
    try SurgeryOutput.save(pooled, as: "cut_pool_torch_cnn")

    let err = #expect(throws: PassError.self) {
      try Self.replaced("torch_cnn", spec: "dense:CLASSES", cutAt: "/pool/GlobalAveragePool_output_0")
    }
    #expect(err?.description.hasPrefix("pass ReplaceClassifierHead, node '/fc/Gemm' (Gemm): head spec item 1 'dense:CLASSES'") == true)
    #expect(err?.description.contains("globalavgpool or flatten") == true)
  }

  @Test func geluAndSoftmaxForOldOpsets() throws {
    // Paddle fixture: opset 11, so Gelu is decomposed and Dropout takes its ratio as an attribute.
    var model = try FixtureModels.load("paddle_style")
    let head = try HeadDetector.detect(model)
    let pass = ReplaceClassifierHead(
      head: head, spec: try HeadSpec(parsing: "dense:16:gelu,dropout:0.5,dense:CLASSES"), classes: 3,
      outputActivation: .some(nil))
    try PassDriver.run([pass, DeadNodeElimination()], on: &model)
    let ops = model.graph!.nodes.compactMap(\.opType)
    #expect(ops.contains("Erf"))
    #expect(!ops.contains("Gelu"))
    #expect(!ops.contains("Softmax"))
    #expect(model.graph!.nodes.first(where: { $0.opType == "Dropout" })?.attribute("ratio")?.f == 0.5)
    try SurgeryOutput.save(model, as: "gelu_logits_paddle_style")
  }

  @Test func lastDenseMustMatchTheClasses() throws {
    let err = #expect(throws: PassError.self) { try Self.replaced("torch_cnn", spec: "dense:8", classes: 5) }
    #expect(err?.description.contains("item 1 'dense:8'") == true)
  }
}
