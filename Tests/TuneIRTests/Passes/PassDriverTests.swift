import Testing
import TuneIR
import TuneTensor

/// A pass that returns a fixed patch, for testing the driver.
struct FixedPass: GraphPass {
  var name: String
  var make: @Sendable (Graph) throws -> GraphPatch
  func patch(for model: Model) throws -> GraphPatch { try make(model.graph!) }
}

@Suite struct PassDriverTests {
  static let chain = Model(
    opsetImports: [OperatorSetID(version: 13)],
    graph: Graph(
      nodes: [
        Node(opType: "Relu", inputs: ["x"], outputs: ["a"], name: "r1"),
        Node(opType: "Sigmoid", inputs: ["a"], outputs: ["y"], name: "s1"),
      ],
      inputs: [ValueInfo(name: "x")], outputs: [ValueInfo(name: "y")]))

  @Test func verifierFindsEachProblem() throws {
    var g = Self.chain.graph!
    try GraphVerifier.verify(g)
    g.nodes.swapAt(0, 1)
    #expect(throws: GraphError.self) { try GraphVerifier.verify(g) }
    #expect(try g.topologicallySorted().nodes.map(\.name) == ["r1", "s1"])
    var dup = Self.chain.graph!
    dup.nodes[1].outputs = ["a"]
    let e = #expect(throws: GraphError.self) { try GraphVerifier.verify(dup) }
    #expect(e?.message.contains("'a' is produced twice") == true)
    var missing = Self.chain.graph!
    missing.outputs.append(ValueInfo(name: "z"))
    #expect(throws: GraphError.self) { try GraphVerifier.verify(missing) }
    // A subgraph may read outer-scope values defined before its node.
    var sub = Graph(nodes: [Node(opType: "Identity", inputs: ["a"], outputs: ["o"])], outputs: [ValueInfo(name: "o")])
    var attr = Attribute(name: "then_branch")
    attr.type = Attribute.Kind.graph.rawValue
    attr.g = sub
    var withIf = Self.chain.graph!
    withIf.nodes.append(Node(opType: "If", inputs: ["cond"], outputs: ["w"], name: "if", attributes: [attr]))
    withIf.inputs.append(ValueInfo(name: "cond"))
    try GraphVerifier.verify(withIf)
    sub.nodes[0].inputs = ["nope"]
    attr.g = sub
    withIf.nodes[2].attributes = [attr]
    let se = #expect(throws: GraphError.self) { try GraphVerifier.verify(withIf) }
    #expect(se?.message.contains("in subgraph 'then_branch' of node 'if' (If)") == true)
  }

  @Test func errorsCarryThePassAndNode() throws {
    var model = Self.chain
    let bad = FixedPass(name: "Broken") { _ in
      var p = GraphPatch()
      p.addNode(Node(opType: "Relu", inputs: ["ghost"], outputs: ["q"], name: "n"))
      return p
    }
    let e = #expect(throws: PassError.self) { try PassDriver.run([bad], on: &model) }
    #expect(e?.description == "pass Broken: the patched graph is invalid: node 'n' (Relu) uses 'ghost', which nothing produces")
    #expect(model == Self.chain)  // unchanged on failure
    let throwing = FixedPass(name: "ReplaceClassifierHead") { g in throw PassError(node: g.nodes[0], "the weight is not a constant") }
    let e2 = #expect(throws: PassError.self) { try PassDriver.run([throwing], on: &model) }
    #expect(e2?.description == "pass ReplaceClassifierHead, node 'r1' (Relu): the weight is not a constant")
  }

  @Test func insertedNodesAreOrderedTopologically() throws {
    var model = Self.chain
    // Insert a Tanh between r1 and s1: rewire first, then add the node reading 'a'.
    let insert = FixedPass(name: "Insert") { _ in
      var p = GraphPatch()
      p.rewire("a", to: "t")
      p.addNode(Node(opType: "Tanh", inputs: ["a"], outputs: ["t"], name: "tanh"))
      return p
    }
    try PassDriver.run([insert], on: &model)
    #expect(model.graph!.nodes.map(\.name) == ["r1", "tanh", "s1"])
    #expect(model.graph!.nodes[2].inputs == ["t"])
  }

  @Test func deadNodesAndInitializersGo() throws {
    var model = Self.chain
    model.graph!.nodes.append(Node(opType: "Neg", inputs: ["a"], outputs: ["unused"], name: "dead"))
    model.graph!.initializers.append(TensorProto(name: "w", data: Tensor([Float(1)], shape: [1])))
    let r = try PassDriver.run([DeadNodeElimination()], on: &model)
    #expect(model == Self.chain)
    #expect(r[0].nodesRemoved == 1)
  }
}
