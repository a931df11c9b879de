import Testing
import TuneIR
import TuneRuntime
import TuneTensor

@Suite struct ExecutorTests {
  /// y = relu(x + b), x: float[N,3].
  func addRelu() -> Model {
    model(
      Graph(
        nodes: [node("TAdd", ["x", "b"], ["s"], name: "add"), node("TRelu", ["s"], ["y"], name: "relu")],
        initializers: [initializer("b", [1, -2, 0.5], [3])],
        inputs: [floatInput("x", [.symbol("N"), .value(3)])],
        outputs: [value("y")]))
  }

  @Test func dynamicBatchUsesOnePlan() throws {
    let session = try InferenceSession(model: addRelu(), operators: testOperators)
    let one = try session.run(["x": Tensor([1, 1, 1] as [Float], shape: [1, 3])])
    #expect(one["y"]?.shape == [1, 3])
    #expect(one["y"]?.elements(as: Float.self) == [2, 0, 1.5])
    let four = try session.run(["x": Tensor((0..<12).map { Float($0) - 6 }, shape: [4, 3])])
    #expect(four["y"]?.shape == [4, 3])
    #expect(four["y"]?.elements(as: Float.self) == [0, 0, 0, 0, 0, 0, 1, 0, 2.5, 4, 2, 5.5])
  }

  @Test func runsNodesOutOfFileOrder() throws {
    var m = addRelu()
    m.graph!.nodes.reverse()
    let session = try InferenceSession(model: m, operators: testOperators)
    #expect(session.plan.steps.map { $0.node.name } == ["add", "relu"])
    let out = try session.run(["x": Tensor([1, 1, 1] as [Float], shape: [1, 3])])
    #expect(out["y"]?.elements(as: Float.self) == [2, 0, 1.5])
  }

  @Test func releasesIntermediatesAfterLastUse() throws {
    // x -> TRecord(a) -> TRelu(b) -> TRelu(c) -> TRelu(d); alive = TIsAlive("a") after c.
    let g = Graph(
      nodes: [
        node("TRecord", ["x"], ["a"], name: "rec", attributes: [.string("key", "release-a")]),
        node("TRelu", ["a"], ["b"]), node("TRelu", ["b"], ["c"]), node("TRelu", ["c"], ["d"]),
        node("TIsAlive", ["c"], ["alive"], attributes: [.string("key", "release-a")]),
      ],
      inputs: [floatInput("x", [.value(2)])], outputs: [value("d"), value("alive")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    let out = try session.run(["x": Tensor([-1, 2] as [Float], shape: [2])])
    #expect(out["d"]?.elements(as: Float.self) == [0, 2])
    #expect(out["alive"]?.elements(as: Bool.self) == [false])
    let stats = session.lastRunStatistics
    #expect(stats.peakLiveValues <= 3)  // c, d, and alive's input at most
    #expect(stats.releasedValues == 3)  // a, b, c
    #expect(stats.peakLiveBytes <= 3 * 8)
  }

  @Test func keepsValuesAliveForLaterUses() throws {
    // a is used by the first and the last node: it must survive the nodes in between.
    let g = Graph(
      nodes: [
        node("TRecord", ["x"], ["a"], attributes: [.string("key", "keep-a")]),
        node("TRelu", ["a"], ["b"]),
        node("TIsAlive", ["b"], ["alive"], attributes: [.string("key", "keep-a")]),
        node("TAdd", ["a", "b"], ["y"]),
      ],
      inputs: [floatInput("x", [.value(2)])], outputs: [value("y"), value("alive")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    let out = try session.run(["x": Tensor([-1, 2] as [Float], shape: [2])])
    #expect(out["alive"]?.elements(as: Bool.self) == [true])
    #expect(out["y"]?.elements(as: Float.self) == [-1, 4])
  }

  @Test func usesInitializersInPlace() throws {
    let w = initializer("w", [1, 2, 3], [3])
    let g = Graph(
      nodes: [node("TPass", ["w"], ["y"])], initializers: [w], inputs: [], outputs: [value("y")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    let out = try session.run([:])
    #expect(out["y"]!.buffer === w.data.buffer)
  }

  @Test func runsInInferenceModeWithTheModelsOpset() throws {
    let g = Graph(
      nodes: [node("TProbe", ["x"], ["y", "training", "opset"])],
      inputs: [floatInput("x", [.value(1)])], outputs: [value("training"), value("opset")])
    let session = try InferenceSession(model: model(g, opset: 13), operators: testOperators)
    let out = try session.run(["x": Tensor([1] as [Float], shape: [1])])
    #expect(out["training"]?.elements(as: Bool.self) == [false])
    #expect(out["opset"]?.elements(as: Int64.self) == [13])
  }

  @Test func initializerInputsCanBeOverridden() throws {
    var m = addRelu()
    m.graph!.inputs.append(floatInput("b", [.value(3)]))
    let session = try InferenceSession(model: m, operators: testOperators)
    #expect(session.inputs.map(\.name) == ["x"])
    let x = Tensor([1, 1, 1] as [Float], shape: [1, 3])
    let out = try session.run(["x": x, "b": Tensor([0, 0, 0] as [Float], shape: [3])])
    #expect(out["y"]?.elements(as: Float.self) == [1, 1, 1])
  }

  @Test func noCapturesInMainGraph() throws {
    let session = try InferenceSession(model: addRelu(), operators: testOperators)
    #expect(session.plan.capturedNames.isEmpty)
    #expect(session.outputNames == ["y"])
  }
}

@Suite struct ConcurrentRunTests {
  @Test func oneSessionRunsOnSeveralThreads() async throws {
    let session = try InferenceSession(model: ExecutorTests().addRelu(), operators: testOperators)
    try await withThrowingTaskGroup(of: [Float].self) { group in
      for k in 0..<8 {
        group.addTask {
          let x = Tensor([Float](repeating: Float(k), count: 3 * (k + 1)), shape: [k + 1, 3])
          return try session.run(["x": x])["y"]!.elements(as: Float.self)
        }
      }
      var sizes: [Int] = []
      for try await y in group { sizes.append(y.count) }
      #expect(sizes.sorted() == (1...8).map { $0 * 3 })
    }
  }
}
