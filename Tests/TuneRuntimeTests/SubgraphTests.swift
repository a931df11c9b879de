import Testing
import TuneIR
import TuneRuntime
import TuneTensor

@Suite struct SubgraphTests {
  /// y = If(c) then (relu(x) + w) else relu(x); both branches read outer values.
  func ifModel(thenFails: Bool = false) -> Model {
    let thenBranch = Graph(
      nodes: [node(thenFails ? "TFail" : "TAdd", ["s", "w"], ["t"], name: "inner")], name: "then",
      outputs: [value("t")])
    let elseBranch = Graph(nodes: [node("TPass", ["s"], ["e"])], name: "else", outputs: [value("e")])
    return model(
      Graph(
        nodes: [
          node("TRelu", ["x"], ["s"]),
          node(
            "If", ["c"], ["y"], name: "if",
            attributes: [graphAttribute("then_branch", thenBranch), graphAttribute("else_branch", elseBranch)]),
        ],
        initializers: [initializer("w", [10, 20], [2])],
        inputs: [floatInput("x", [.value(2)]), value("c", .bool, [])], outputs: [value("y")]))
  }

  @Test func ifRunsTheChosenBranchWithOuterValues() throws {
    let session = try InferenceSession(model: ifModel(), operators: testOperators)
    #expect(session.plan.steps[1].capturedInputs.count == 2)
    let x = Tensor([-1, 2] as [Float], shape: [2])
    let yes = try session.run(["x": x, "c": Tensor(scalar: true)])
    #expect(yes["y"]?.elements(as: Float.self) == [10, 22])
    let no = try session.run(["x": x, "c": Tensor(scalar: false)])
    #expect(no["y"]?.elements(as: Float.self) == [0, 2])
  }

  @Test func errorsInsideSubgraphsNameBothNodes() throws {
    let session = try InferenceSession(model: ifModel(thenFails: true), operators: testOperators)
    do {
      _ = try session.run(["x": Tensor([-1, 2] as [Float], shape: [2]), "c": Tensor(scalar: true)])
      Issue.record("expected an error")
    } catch {
      #expect(
        "\(error)"
          == "node 'if' (If): node 'inner' (TFail): boom; inputs: [float[2], float[2]]; inputs: [bool[]]")
    }
  }

  @Test func unsupportedOpInsideSubgraphIsReportedAtPlanning() {
    var m = ifModel()
    m.graph!.nodes[1].attributes[1].g!.nodes[0].opType = "Nope"
    do {
      _ = try InferenceSession(model: m, operators: testOperators)
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".hasPrefix("node 'if' (If): in subgraph 'else_branch': node '<output e>' (Nope): unsupported op type 'Nope'"))
    }
  }

  /// Loop(M, cond, v0): v += w each iteration, the running v stacked as a scan output.
  func loopModel() -> Model {
    let body = Graph(
      nodes: [
        node("TAdd", ["v_in", "w"], ["v_out"]), node("TPass", ["cond_in"], ["cond_out"]),
        node("TPass", ["v_out"], ["scan"]),
      ],
      name: "body",
      inputs: [value("i", .int64, []), value("cond_in", .bool, []), floatInput("v_in", [.value(2)])],
      outputs: [value("cond_out", .bool, []), floatInput("v_out", [.value(2)]), floatInput("scan", [.value(2)])])
    return model(
      Graph(
        nodes: [node("Loop", ["M", "c", "v0"], ["v", "vs"], name: "loop", attributes: [graphAttribute("body", body)])],
        initializers: [initializer("w", [1, 10], [2])],
        inputs: [value("M", .int64, []), value("c", .bool, []), floatInput("v0", [.value(2)])],
        outputs: [value("v"), value("vs")]))
  }

  @Test func loopCarriesValuesAndStacksScanOutputs() throws {
    let session = try InferenceSession(model: loopModel(), operators: testOperators)
    let out = try session.run([
      "M": Tensor(scalar: Int64(3)), "c": Tensor(scalar: true), "v0": Tensor([0, 0] as [Float], shape: [2]),
    ])
    #expect(out["v"]?.elements(as: Float.self) == [3, 30])
    #expect(out["vs"]?.shape == [3, 2])
    #expect(out["vs"]?.elements(as: Float.self) == [1, 10, 2, 20, 3, 30])
  }

  @Test func loopThatNeverRunsReturnsInitialValues() throws {
    let session = try InferenceSession(model: loopModel(), operators: testOperators)
    let out = try session.run([
      "M": Tensor(scalar: Int64(5)), "c": Tensor(scalar: false), "v0": Tensor([4, 5] as [Float], shape: [2]),
    ])
    #expect(out["v"]?.elements(as: Float.self) == [4, 5])
    #expect(out["vs"]?.shape == [0, 2])
  }

  @Test func nestedSubgraphsSeeEveryEnclosingScope() throws {
    // Loop body: v_out = If(cond_in) then v_in + w (w from the main graph) else v_in.
    let thenBranch = Graph(nodes: [node("TAdd", ["v_in", "w"], ["t"])], name: "t", outputs: [value("t")])
    let elseBranch = Graph(nodes: [node("TPass", ["v_in"], ["e"])], name: "e", outputs: [value("e")])
    let body = Graph(
      nodes: [
        node(
          "If", ["cond_in"], ["v_out"],
          attributes: [graphAttribute("then_branch", thenBranch), graphAttribute("else_branch", elseBranch)]),
        node("TPass", ["cond_in"], ["cond_out"]),
      ],
      name: "body",
      inputs: [value("i", .int64, []), value("cond_in", .bool, []), value("v_in")],
      outputs: [value("cond_out"), value("v_out")])
    let m = model(
      Graph(
        nodes: [
          node("TRelu", ["x"], ["w"]),
          node("Loop", ["M", ""], ["v"], attributes: [graphAttribute("body", body)]),
        ],
        inputs: [value("M", .int64, []), floatInput("x", [.value(1)])], outputs: [value("v")]))
    // The plan sees w as read by the Loop node.
    let session = try InferenceSession(model: m, operators: testOperators)
    #expect(session.plan.steps[1].capturedInputs == [session.plan.slots["w"]!])
    #expect(!session.plan.steps[0].releases.contains(session.plan.slots["w"]!))
    #expect(session.plan.steps[1].releases.contains(session.plan.slots["w"]!))
    // Carry x as the loop value.
    var m2 = m
    m2.graph!.nodes[1].inputs = ["M", "", "x"]
    let s2 = try InferenceSession(model: m2, operators: testOperators)
    let out = try s2.run(["M": Tensor(scalar: Int64(4)), "x": Tensor([2] as [Float], shape: [1])])
    #expect(out["v"]?.elements(as: Float.self) == [10])
  }

  /// Scan: cumulative sum over the rows of X, state s.
  func scanModel(attributes: [Attribute] = []) -> Model {
    let body = Graph(
      nodes: [node("TAdd", ["s_in", "row"], ["s_out"]), node("TPass", ["s_out"], ["y"])],
      name: "body", inputs: [value("s_in"), value("row")], outputs: [value("s_out"), value("y")])
    return model(
      Graph(
        nodes: [
          node(
            "Scan", ["s0", "X"], ["s", "Y"],
            attributes: [graphAttribute("body", body), .int("num_scan_inputs", 1)] + attributes)
        ],
        inputs: [value("s0"), value("X")], outputs: [value("s"), value("Y")]))
  }

  @Test func scanAccumulatesState() throws {
    let session = try InferenceSession(model: scanModel(), operators: testOperators)
    let x = Tensor((1...6).map { Float($0) }, shape: [3, 2])
    let out = try session.run(["s0": Tensor([0, 0] as [Float], shape: [2]), "X": x])
    #expect(out["s"]?.elements(as: Float.self) == [9, 12])
    #expect(out["Y"]?.elements(as: Float.self) == [1, 2, 4, 6, 9, 12])
  }

  @Test func scanHonoursAxesAndDirections() throws {
    // Scan the columns backwards, stack outputs along axis 1, prepending.
    let session = try InferenceSession(
      model: scanModel(attributes: [
        .ints("scan_input_axes", [1]), .ints("scan_input_directions", [1]),
        .ints("scan_output_axes", [1]), .ints("scan_output_directions", [1]),
      ]), operators: testOperators)
    let x = Tensor((1...6).map { Float($0) }, shape: [2, 3])  // [[1,2,3],[4,5,6]]
    let out = try session.run(["s0": Tensor([0, 0] as [Float], shape: [2]), "X": x])
    // Columns visited 3, 2, 1: states [3,6], [5,11], [6,15]; prepended -> order [6,15],[5,11],[3,6]
    #expect(out["s"]?.elements(as: Float.self) == [6, 15])
    #expect(out["Y"]?.shape == [2, 3])
    #expect(out["Y"]?.elements(as: Float.self) == [6, 5, 3, 15, 11, 6])
  }
}

@Suite struct SubgraphRunnerTests {
  /// A driver that runs the steps itself can still run `If` through `Executor.subgraphRunner`.
  @Test func externalDriverRunsSubgraphs() throws {
    let session = try InferenceSession(model: SubgraphTests().ifModel(), operators: testOperators)
    let plan = session.plan
    var values = [Tensor?](repeating: nil, count: plan.slotNames.count)
    for (slot, v) in plan.constants { values[slot] = v }
    values[plan.slots["x"]!] = Tensor([-1, 2] as [Float], shape: [2])
    values[plan.slots["c"]!] = Tensor(scalar: true)
    let context = ExecutionContext()
    // The runner captures the context that holds it: clear it at the end, as the executor does,
    // or the pair leaks (found by scripts/sanitize.sh address).
    defer { context.runSubgraph = nil }
    for step in plan.steps {
      if !step.subgraphs.isEmpty {
        context.runSubgraph = Executor.subgraphRunner(plan: plan, step: step, values: values, context: context)
      }
      let out = try step.op.forward(step.inputs.map { $0.flatMap { values[$0] } }, context: context)
      for (k, slot) in step.outputs.enumerated() { if let slot { values[slot] = out[k] } }
    }
    #expect(values[plan.slots["y"]!]?.elements(as: Float.self) == [10, 22])
  }
}
