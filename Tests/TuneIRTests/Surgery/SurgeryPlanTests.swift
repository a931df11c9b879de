import Testing
import TuneIR

@Suite struct SurgeryPlanTests {
  @Test func defaultKeepsTheHeadAndTrainsIt() throws {
    let plan = try SurgeryPlan(model: try FixtureModels.load("torch_cnn"))
    #expect(plan.spec == nil)
    #expect(plan.classes == 10)
    #expect(plan.trainable.trainable == ["fc.weight", "fc.bias"])
    #expect(plan.model == (try FixtureModels.load("torch_cnn")))
    #expect(plan.gradientPath().map { plan.model.graph!.nodes[$0].name } == ["/fc/Gemm"])
  }

  @Test func classesAloneSwapsInADenseHead() throws {
    let plan = try SurgeryPlan(model: try FixtureModels.load("external_data/model"), options: .init(classes: 3))
    #expect(plan.spec == .standard)
    #expect(plan.trainable.trainable == ["head.dense_0.weight", "head.dense_0.bias"])
    #expect(plan.trainable.trainableParameterCount == 3 * 32 + 3)
    #expect(plan.newHeadNodes.count == 1)
  }

  @Test func paddleWeightsArePromotedAndTrainable() throws {
    let plan = try SurgeryPlan(
      model: try FixtureModels.load("paddle_style"),
      options: .init(spec: try HeadSpec(parsing: "dense:16:relu,dense:CLASSES"), classes: 4, freeze: .nothing))
    #expect(plan.promoted == ["conv2d_0.w_0", "conv2d_0.b_0", "linear_0.w_0", "linear_0.b_0"])
    // The old head's weights are gone; the backbone conv trains under `none`.
    #expect(
      plan.trainable.trainable == ["conv2d_0.w_0", "conv2d_0.b_0", "head.dense_0.weight", "head.dense_0.bias", "head.dense_1.weight", "head.dense_1.bias"])
    #expect(plan.model.graph!.nodes.last?.opType == "Softmax")
    let path = plan.gradientPath().map { plan.model.graph!.nodes[$0].opType ?? "" }
    #expect(path == ["Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Relu", "Gemm", "Softmax"])
  }

  @Test func popAndCutAtBuildANewHead() throws {
    let popped = try SurgeryPlan(model: try FixtureModels.load("external_data/model"), options: .init(pop: 2))
    #expect(popped.oldHead.featureTensor == "flat")
    #expect(popped.model.graph!.initializer(named: "fc1.weight") == nil)
    #expect(popped.model.graph!.initializer(named: "head.dense_0.weight")?.data.shape == [10, 1024])
    let cut = try SurgeryPlan(
      model: try FixtureModels.load("torch_cnn"),
      options: .init(spec: try HeadSpec(parsing: "flatten,dense:CLASSES"), cutAt: "/pool/GlobalAveragePool_output_0"))
    #expect(cut.model.graph!.nodes.suffix(2).map(\.opType) == ["Flatten", "Gemm"])
    #expect(cut.model.graph!.nodes.filter { $0.opType == "Flatten" }.count == 1)
  }
}
