import Testing
import TuneIR
import TuneTensor

@Suite struct HeadDetectorTests {
  @Test func torchGemmHead() throws {
    let model = try FixtureModels.load("torch_cnn")
    let head = try HeadDetector.detect(model)
    let g = model.graph!
    #expect(head.output == "logits")
    #expect(head.nodeIndices.map { g.nodes[$0].name } == ["/fc/Gemm"])
    #expect(head.layers.map(\.kind) == [.gemm])
    #expect(head.weights.map(\.name) == ["fc.weight", "fc.bias"])
    #expect(head.weights.allSatisfy { $0.source == .initializer })
    #expect(head.numberOfClasses == 10)
    #expect(head.featureTensor == "/Flatten_output_0")
    #expect(head.featureShape?.dims == [.symbol("batch"), .value(16)])
    #expect(head.outputActivation == nil)
  }

  @Test func tf2onnxMatMulAddHead() throws {
    let model = try FixtureModels.load("tf_style_nhwc")
    let head = try HeadDetector.detect(model)
    let g = model.graph!
    #expect(head.output == "dense")
    #expect(head.nodeIndices.map { g.nodes[$0].opType } == ["MatMul", "Add", "Softmax"])
    #expect(head.layers.map(\.kind) == [.matMulAdd])
    #expect(head.layers[0].weight == "StatefulPartitionedCall/model/dense/MatMul/ReadVariableOp:0")
    #expect(head.layers[0].bias == "StatefulPartitionedCall/model/dense/BiasAdd/ReadVariableOp:0")
    #expect(head.numberOfClasses == 10)
    #expect(head.featureTensor == "StatefulPartitionedCall/model/flatten/Reshape:0")
    #expect(head.featureShape?.dims == [.symbol("unk__24"), .value(128)])
    #expect(head.outputActivation == "Softmax")
  }

  @Test func paddleConstantWeightHead() throws {
    let model = try FixtureModels.load("paddle_style")
    let head = try HeadDetector.detect(model)
    #expect(head.output == "softmax_0.tmp_0")
    #expect(head.layers.map(\.kind) == [.matMulAdd])
    #expect(head.weights.map(\.name) == ["linear_0.w_0", "linear_0.b_0"])
    #expect(head.weights.map(\.source) == [.constantNode("p2o.Constant.3"), .constantNode("p2o.Constant.4")])
    #expect(head.weights.map(\.shape) == [[64, 10], [10]])
    #expect(head.numberOfClasses == 10)
    #expect(head.featureTensor == "reshape2_0.tmp_0")
    #expect(head.featureShape?.dims == [.symbol("p2o.DynamicDimension.0"), .value(64)])
    #expect(head.outputActivation == "Softmax")
  }

  @Test func externalDataGemmHead() throws {
    let model = try FixtureModels.load("external_data/model")
    let head = try HeadDetector.detect(model)
    #expect(head.output == "scores")
    #expect(head.layers.map(\.weight) == ["fc2.weight"])
    #expect(head.numberOfClasses == 10)
    #expect(head.featureTensor == "relu2_out")
    #expect(head.featureShape?.dims == [.symbol("batch"), .value(32)])
  }

  @Test func popTakesTheLastWeightLayers() throws {
    let model = try FixtureModels.load("external_data/model")
    let head = try HeadDetector.detect(model, options: .init(pop: 2))
    #expect(head.layers.map(\.weight) == ["fc2.weight", "fc1.weight"])
    #expect(head.featureTensor == "flat")
    #expect(head.featureShape?.dims == [.symbol("batch"), .value(1024)])
    #expect(head.selection == "pop 2")

    let torch = try FixtureModels.load("torch_cnn")
    let two = try HeadDetector.detect(torch, options: .init(pop: 2))
    // The BatchNormalization belongs to the Conv before it.
    #expect(two.featureTensor == "/features/features.3/MaxPool_output_0")
    #expect(two.featureShape?.dims == [.symbol("batch"), .value(8), .value(14), .value(14)])
    #expect(two.layers.map(\.kind) == [.gemm, .conv])
    #expect(throws: SurgeryError.self) { try HeadDetector.detect(torch, options: .init(pop: 4)) }
  }

  @Test func cutAtNamesTheFeatureTensor() throws {
    let model = try FixtureModels.load("torch_cnn")
    let head = try HeadDetector.detect(model, options: .init(cutAt: "/pool/GlobalAveragePool_output_0"))
    #expect(head.featureTensor == "/pool/GlobalAveragePool_output_0")
    #expect(head.featureShape?.dims == [.symbol("batch"), .value(16), .value(1), .value(1)])
    #expect(head.nodeIndices.map { model.graph!.nodes[$0].opType } == ["Flatten", "Gemm"])
    #expect(head.numberOfClasses == 10)
    // A node name works too: cut at its output.
    let byNode = try HeadDetector.detect(model, options: .init(cutAt: "/pool/GlobalAveragePool"))
    #expect(byNode.featureTensor == "/pool/GlobalAveragePool_output_0")
    let err = #expect(throws: SurgeryError.self) { try HeadDetector.detect(model, options: .init(cutAt: "nope")) }
    #expect(err?.message.contains("'nope'") == true)
    #expect(throws: SurgeryError.self) { try HeadDetector.detect(model, options: .init(cutAt: "logits")) }
  }

  @Test func convClassifierHead() throws {
    // SqueezeNet-style: Conv 1x1 -> Relu -> GlobalAveragePool -> Flatten -> Softmax.
    let w = TensorProto(name: "cls.w", data: Tensor(zeros: .float, shape: [5, 8, 1, 1]))
    let g = Graph(
      nodes: [
        Node(opType: "Conv", inputs: ["x", "cls.w"], outputs: ["c"], name: "cls"),
        Node(opType: "Relu", inputs: ["c"], outputs: ["r"]),
        Node(opType: "GlobalAveragePool", inputs: ["r"], outputs: ["p"]),
        Node(opType: "Flatten", inputs: ["p"], outputs: ["f"]),
        Node(opType: "Softmax", inputs: ["f"], outputs: ["prob"]),
      ],
      initializers: [w],
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(8), .value(13), .value(13)]))],
      outputs: [ValueInfo(name: "prob")])
    let head = try HeadDetector.detect(Model(opsetImports: [OperatorSetID(version: 13)], graph: g))
    #expect(head.layers.map(\.kind) == [.conv1x1])
    #expect(head.numberOfClasses == 5)
    #expect(head.featureTensor == "x")
    #expect(head.nodeIndices == [0, 1, 2, 3, 4])
  }

  @Test func noHeadIsAnErrorNamingTheNode() throws {
    let g = Graph(
      nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["a"]), Node(opType: "Concat", inputs: ["a", "x"], outputs: ["y"], name: "cat")],
      inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")])
    let err = #expect(throws: SurgeryError.self) { try HeadDetector.detect(Model(graph: g)) }
    #expect(err?.message.contains("'cat' (Concat)") == true)
  }
}
