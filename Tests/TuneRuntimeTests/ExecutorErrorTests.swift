import Testing
import TuneIR
import TuneRuntime
import TuneTensor

@Suite struct ExecutorErrorTests {
  func message(_ body: () throws -> Void) -> String {
    do {
      try body()
      return "no error"
    } catch {
      return "\(error)"
    }
  }

  @Test func opErrorNamesNodeOpAndShapes() throws {
    let g = Graph(
      nodes: [node("TRelu", ["x"], ["r"]), node("TFail", ["r", "w"], ["y"], name: "bad")],
      initializers: [initializer("w", [1, 2, 3], [3])],
      inputs: [floatInput("x", [.symbol("N"), .value(3)])], outputs: [value("y")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    let m = message { _ = try session.run(["x": Tensor(zeros: .float, shape: [2, 3])]) }
    #expect(m == "node 'bad' (TFail): boom; inputs: [float[2,3], float[3]]")
  }

  @Test func unnamedNodeIsNamedByItsOutput() throws {
    let g = Graph(
      nodes: [node("TFail", ["x", ""], ["y"])], inputs: [floatInput("x", [])], outputs: [value("y")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    let m = message { _ = try session.run(["x": Tensor(scalar: Float(1))]) }
    #expect(m == "node '<output y>' (TFail): boom; inputs: [float[], none]")
  }

  @Test func unsupportedOpNamesNodeOpAndDeclaredShapes() {
    let g = Graph(
      nodes: [node("Frobnicate", ["x", "w"], ["y"], name: "f1")],
      initializers: [initializer("w", [1, 2], [2])],
      inputs: [floatInput("x", [.symbol("N"), .value(2)])], outputs: [value("y")])
    let m = message { _ = try InferenceSession(model: model(g), operators: testOperators) }
    #expect(
      m == "node 'f1' (Frobnicate): unsupported op type 'Frobnicate'; inputs: [x: float[N,2], w: float[2]]")
  }

  @Test func badAttributeIsReportedAtPlanning() {
    let g = Graph(
      nodes: [node("TPicky", ["x"], ["y"], name: "p")], inputs: [floatInput("x", [.value(1)])],
      outputs: [value("y")])
    let m = message { _ = try InferenceSession(model: model(g), operators: testOperators) }
    #expect(m == "node 'p' (TPicky): attribute 'ok' should be 1; inputs: [x: float[1]]")
  }

  @Test func missingValueNamesNode() {
    let g = Graph(
      nodes: [node("TAdd", ["x", "nowhere"], ["y"], name: "add")],
      inputs: [floatInput("x", [.value(1)])], outputs: [value("y")])
    let m = message { _ = try InferenceSession(model: model(g), operators: testOperators) }
    #expect(
      m == "node 'add' (TAdd): input 'nowhere' is not produced by any node, graph input or initializer; "
        + "inputs: [x: float[1], nowhere: ?]")
  }

  @Test func cycleIsReported() {
    let g = Graph(
      nodes: [node("TAdd", ["x", "b"], ["a"], name: "n1"), node("TRelu", ["a"], ["b"], name: "n2")],
      inputs: [floatInput("x", [.value(1)])], outputs: [value("b")])
    let m = message { _ = try InferenceSession(model: model(g), operators: testOperators) }
    #expect(m == "the graph has a cycle through nodes 'n1', 'n2'")
  }

  @Test func duplicateProducerIsReported() {
    let g = Graph(
      nodes: [node("TRelu", ["x"], ["a"], name: "n1"), node("TRelu", ["x"], ["a"], name: "n2")],
      inputs: [floatInput("x", [.value(1)])], outputs: [value("a")])
    let m = message { _ = try InferenceSession(model: model(g), operators: testOperators) }
    #expect(m.hasPrefix("node 'n2' (TRelu): output 'a' is also produced by node 'n1'"))
  }

  @Test func inputsAreCheckedAgainstDeclarations() throws {
    let g = Graph(
      nodes: [node("TRelu", ["x"], ["y"])], inputs: [floatInput("x", [.symbol("N"), .value(3)])],
      outputs: [value("y")])
    let session = try InferenceSession(model: model(g), operators: testOperators)
    #expect(
      message { _ = try session.run(["x": Tensor(zeros: .float, shape: [2, 4])]) }
        == "input 'x' should be float[N,3], got float[2,4]")
    #expect(
      message { _ = try session.run(["x": Tensor(zeros: .int64, shape: [2, 3])]) }
        == "input 'x' should be float[N,3], got int64[2,3]")
    #expect(message { _ = try session.run([:]) } == "missing input 'x' (float[N,3])")
    #expect(
      message {
        _ = try session.run(["x": Tensor(zeros: .float, shape: [2, 3]), "z": Tensor(scalar: Float(0))])
      } == "unknown input 'z' (the graph's inputs are 'x')")
  }

  @Test func missingOpsetIsReported() {
    let g = Graph(
      nodes: [node("TRelu", ["x"], ["y"], name: "r")], inputs: [floatInput("x", [.value(1)])],
      outputs: [value("y")])
    var m = model(g)
    m.opsetImports = []
    let text = message { _ = try InferenceSession(model: m, operators: testOperators) }
    #expect(text == "node 'r' (TRelu): the model imports no opset for domain 'ai.onnx'; inputs: [x: float[1]]")
  }
}
