import Testing
import TuneIR
import TuneTensor

@Suite struct SimplificationPassTests {
  static let simplify: [any GraphPass] = [
    PromoteConstantsToInitializers(), IdentityRemoval(), ShapeConstantFolding(), DeadNodeElimination(),
  ]
  static let deploy: [any GraphPass] = simplify + [DropoutRemoval(), BatchNormFolding(), DeadNodeElimination()]

  @Test func shapeInferenceKeepsTheBatchSymbol() {
    let s = ShapeInference(SyntheticModels.pytorchStyle())
    #expect(s["c"]?.dims == [.symbol("batch"), .value(4), .value(8), .value(8)])
    #expect(s.values["s2"] == [.value(-1), .value(4), .value(8), .value(8)])
    #expect(s.values["t3"] == [.symbol("batch"), .value(-1)])
    #expect(s["flat"]?.dims == [.symbol("batch"), .value(256)])
    #expect(s["y"]?.description == "float[batch,5]")
  }

  @Test func identityAndShapeChainsFold() throws {
    var model = SyntheticModels.pytorchStyle()
    let before = model
    try PassDriver.run(Self.simplify, on: &model)
    let g = model.graph!
    let ops = g.nodes.compactMap(\.opType)
    #expect(ops == ["Conv", "BatchNormalization", "Relu", "Dropout", "Reshape", "Reshape", "Gemm", "BatchNormalization"])
    #expect(g.initializer(named: "s2")?.data.int64Values() == [-1, 4, 8, 8])
    #expect(g.initializer(named: "reshape1_shape")?.data.int64Values() == [0, -1])
    // The graph output keeps its name: the BatchNorm now produces 'y'.
    #expect(g.nodes.last?.outputs == ["y"])
    #expect(ShapeInference(model)["flat"]?.dims == [.symbol("batch"), .value(256)])
    try SurgeryOutput.save(before, as: "pair__pytorch_style__before")
    try SurgeryOutput.save(model, as: "pair__pytorch_style__simplified")
  }

  @Test func deploymentFoldsBatchNormAndDropsDropout() throws {
    var model = SyntheticModels.pytorchStyle()
    try PassDriver.run(Self.deploy, on: &model)
    let ops = model.graph!.nodes.compactMap(\.opType)
    #expect(ops == ["Conv", "Relu", "Reshape", "Reshape", "Gemm"])
    #expect(model.graph!.nodes.last?.outputs == ["y"])
    #expect(model.graph!.nodes.last?.attribute("alpha") == nil)
    try SurgeryOutput.save(model, as: "pair__pytorch_style__deployed")
  }

  @Test(arguments: FixtureModels.all)
  func passesKeepFixturesValid(fixture: String) throws {
    let stem = fixture.replacingOccurrences(of: "/", with: "_")
    var simplified = try FixtureModels.load(fixture)
    try PassDriver.run(Self.simplify, on: &simplified)
    try GraphVerifier.verify(simplified.graph!)
    try SurgeryOutput.save(simplified, as: "ab__\(stem)__simplified")
    var deployed = try FixtureModels.load(fixture)
    try PassDriver.run(Self.deploy, on: &deployed)
    try SurgeryOutput.save(deployed, as: "ab__\(stem)__deployed")
    if fixture == "torch_cnn" {
      #expect(!deployed.graph!.nodes.contains { $0.opType == "BatchNormalization" })
      #expect(deployed.graph!.initializers.allSatisfy { !($0.name ?? "").contains("running") })
    }
  }

  @Test func batchNormFoldingSkipsSharedOutputs() throws {
    var model = SyntheticModels.pytorchStyle()
    // The Conv output also feeds a second output: no folding.
    model.graph!.outputs.append(ValueInfo(name: "c"))
    try PassDriver.run([BatchNormFolding()], on: &model)
    #expect(model.graph!.nodes.filter { $0.opType == "BatchNormalization" }.count == 1)
  }

  @Test func identityOnAGraphInputStays() throws {
    var model = Model(
      opsetImports: [OperatorSetID(version: 13)],
      graph: Graph(
        nodes: [Node(opType: "Identity", inputs: ["x"], outputs: ["y"])], inputs: [ValueInfo(name: "x")],
        outputs: [ValueInfo(name: "y")]))
    try PassDriver.run([IdentityRemoval()], on: &model)
    #expect(model.graph!.nodes.count == 1)
  }
}
