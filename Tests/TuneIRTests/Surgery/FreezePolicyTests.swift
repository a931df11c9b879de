import Testing
import TuneIR
import TuneTensor

@Suite struct FreezePolicyTests {
  static func set(_ fixture: String, _ policy: String, promote: Bool = true) throws -> TrainableSet {
    var model = try FixtureModels.load(fixture)
    if promote { try PassDriver.run([PromoteConstantsToInitializers()], on: &model) }
    return try TrainableSet(model: model, policy: try FreezePolicy(parsing: policy))
  }

  @Test func torchHeadOnlyByDefault() throws {
    let s = try Self.set("torch_cnn", "head")
    #expect(s.trainable == ["fc.weight", "fc.bias"])
    #expect(s.trainableParameterCount == 170)
    #expect(s.frozenParameterCount == 1490 - 170)
    #expect(s.frozen.contains("features.1.running_mean"))
    #expect(s.batchNorms.map(\.trainable) == [false, false])
  }

  @Test func torchFreezeNothingKeepsStatisticsFrozen() throws {
    let s = try Self.set("torch_cnn", "none")
    #expect(
      s.trainable == [
        "features.0.weight", "features.1.weight", "features.1.bias", "features.4.weight", "features.5.weight",
        "features.5.bias", "fc.weight", "fc.bias",
      ])
    #expect(s.frozen.sorted() == ["features.1.running_mean", "features.1.running_var", "features.5.running_mean", "features.5.running_var"])
    #expect(s.batchNorms.map(\.trainable) == [true, true])
    #expect(s.batchNorms.map(\.node) == ["/features/features.1/BatchNormalization", "/features/features.5/BatchNormalization"])
  }

  @Test func torchFreezeByPattern() throws {
    let s = try Self.set("torch_cnn", "pattern:features.0.*;features.1.*")
    #expect(s.trainable == ["features.4.weight", "features.5.weight", "features.5.bias", "fc.weight", "fc.bias"])
    #expect(s.batchNorms.map(\.trainable) == [false, true])
  }

  @Test func torchFreezeUpToNodeOrTensor() throws {
    let byNode = try Self.set("torch_cnn", "upto:/features/features.3/MaxPool")
    #expect(byNode.trainable == ["features.4.weight", "features.5.weight", "features.5.bias", "fc.weight", "fc.bias"])
    let byTensor = try Self.set("torch_cnn", "upto:/features/features.5/BatchNormalization_output_0")
    #expect(byTensor.trainable == ["fc.weight", "fc.bias"])
    #expect(throws: SurgeryError.self) { try Self.set("torch_cnn", "upto:nowhere") }
  }

  @Test func unfreezeTheLastLayers() throws {
    #expect(try Self.set("torch_cnn", "last:2").trainable == ["features.4.weight", "features.5.weight", "features.5.bias", "fc.weight", "fc.bias"])
    #expect(try Self.set("external_data/model", "last:2").trainable == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    #expect(try Self.set("external_data/model", "last:0").trainable == [])
    #expect(try Self.set("external_data/model", "last:99").trainable.count == 6)
  }

  @Test func tf2onnxPolicies() throws {
    let head = try Self.set("tf_style_nhwc", "head")
    #expect(
      head.trainable == [
        "StatefulPartitionedCall/model/dense/MatMul/ReadVariableOp:0", "StatefulPartitionedCall/model/dense/BiasAdd/ReadVariableOp:0",
      ])
    let pattern = try Self.set("tf_style_nhwc", "pattern:*/conv2d/*")
    #expect(pattern.trainable.count == 4)
    #expect(!pattern.trainable.contains { $0.contains("/conv2d/") })
  }

  @Test func paddleConstantWeightsArePromoted() throws {
    let raw = try Self.set("paddle_style", "head", promote: false)
    #expect(raw.trainable == [])
    #expect(raw.needsPromotion == ["linear_0.w_0", "linear_0.b_0"])
    let promoted = try Self.set("paddle_style", "head")
    #expect(promoted.trainable == ["linear_0.w_0", "linear_0.b_0"])
    #expect(promoted.needsPromotion == [])
    #expect(try Self.set("paddle_style", "none").trainable == ["conv2d_0.w_0", "conv2d_0.b_0", "linear_0.w_0", "linear_0.b_0"])
  }

  @Test func promotionKeepsShapeConstants() throws {
    var model = try FixtureModels.load("paddle_style")
    try PassDriver.run([PromoteConstantsToInitializers()], on: &model)
    let g = model.graph!
    #expect(g.nodes.filter { $0.opType == "Constant" }.compactMap(\.outputs.first) == ["p2o.Constant.2.out"])
    #expect(g.initializers.compactMap(\.name).sorted() == ["conv2d_0.b_0", "conv2d_0.w_0", "linear_0.b_0", "linear_0.w_0"])
    try SurgeryOutput.save(model, as: "ab__paddle_style__promote")
  }

  @Test func newHeadBatchNormTrainsWithTheHead() throws {
    var model = try FixtureModels.load("torch_cnn")
    let head = try HeadDetector.detect(model)
    try PassDriver.run(
      [ReplaceClassifierHead(head: head, spec: try HeadSpec(parsing: "dense:8:relu,batchnorm,dense:CLASSES"), classes: 3), DeadNodeElimination()],
      on: &model)
    // After a head swap the head starts at the old feature tensor (detection would find only the last layer).
    let s = try TrainableSet(model: model, policy: .headOnly, featureTensor: head.featureTensor)
    #expect(
      s.trainable.sorted() == [
        "head.batchnorm_0.bias", "head.batchnorm_0.weight", "head.dense_0.bias", "head.dense_0.weight", "head.dense_1.bias",
        "head.dense_1.weight",
      ])
    #expect(s.batchNorms.map(\.trainable) == [false, false, true])
    #expect(!s.trainable.contains("head.batchnorm_0.running_mean"))
  }

  @Test(arguments: ["", "heads", "pattern:", "last:x", "upto:"])
  func badPoliciesAreErrors(policy: String) {
    #expect(throws: SurgeryError.self) { try FreezePolicy(parsing: policy) }
  }
}

@Suite struct OldIRVersionTests {
  /// IR < 4 lists initializers among the graph inputs: promoted and new weights are listed too.
  @Test func promotedWeightsBecomeGraphInputsBeforeIR4() throws {
    var model = try FixtureModels.load("paddle_style")
    model.irVersion = 3
    try PassDriver.run([PromoteConstantsToInitializers()], on: &model)
    let inputs = model.graph!.inputs.compactMap(\.name)
    #expect(inputs == ["x", "conv2d_0.w_0", "conv2d_0.b_0", "linear_0.w_0", "linear_0.b_0"])
    try GraphVerifier.verify(model.graph!)
    #expect(model.graph!.runtimeInputs.compactMap(\.name) == ["x"])
    // Removing the old head drops its weights from the inputs as well.
    let head = try HeadDetector.detect(model)
    try PassDriver.run([ReplaceClassifierHead(head: head, classes: 2), DeadNodeElimination()], on: &model)
    #expect(!model.graph!.inputs.contains { $0.name == "linear_0.w_0" })
    #expect(model.graph!.inputs.contains { $0.name == "head.dense_0.weight" })
    try SurgeryOutput.save(model, as: "ir3_paddle_style")
  }
}

@Suite struct SharedWeightTests {
  /// PyTorch exports share equal tensors through Identity nodes; the initializer behind counts,
  /// and it stays frozen while any frozen node uses it.
  @Test func weightsBehindIdentityNodes() throws {
    let w1 = TensorProto(name: "w1", data: Tensor(zeros: .float, shape: [4, 4]))
    let w2 = TensorProto(name: "w2", data: Tensor(zeros: .float, shape: [4, 4]))
    let b = TensorProto(name: "b", data: Tensor(zeros: .float, shape: [4]))
    let g = Graph(
      nodes: [
        Node(opType: "Identity", inputs: ["b"], outputs: ["b_copy"]),
        Node(opType: "Gemm", inputs: ["x", "w1", "b"], outputs: ["h"], name: "fc1"),
        Node(opType: "Gemm", inputs: ["h", "w2", "b_copy"], outputs: ["y"], name: "fc2"),
      ],
      initializers: [w1, w2, b], inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(4)]))],
      outputs: [ValueInfo(name: "y")])
    let model = Model(opsetImports: [OperatorSetID(version: 13)], graph: g)
    #expect(try TrainableSet(model: model, policy: .nothing).trainable == ["b", "w1", "w2"])
    #expect(try TrainableSet(model: model, policy: .unfreezeLast(1)).trainable == ["w2"])
    #expect(try TrainableSet(model: model, policy: .headOnly, featureTensor: "x").trainable == ["b", "w1", "w2"])
  }
}
