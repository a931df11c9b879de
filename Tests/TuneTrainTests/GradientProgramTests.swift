import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

// Small stand-in ops with gradients, so the backward driver is tested on its own.
struct TMatMul: DifferentiableOperator {
  static let opType = "MatMul"
  init(node: Node, opset: Int) throws {}
  static func mm(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
    let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = transB ? b.shape[0] : b.shape[1]
    let av = a.floatValues()
    let bv = b.floatValues()
    var out = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var s: Float = 0
        for p in 0..<k {
          s += (transA ? av[p * m + i] : av[i * k + p]) * (transB ? bv[j * k + p] : bv[p * n + j])
        }
        out[i * n + j] = s
      }
    }
    return Tensor(out, shape: [m, n])
  }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [Self.mm(inputs[0]!, inputs[1]!)]
  }
  func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let g = outputGradients[0]!
    return [
      needed[0] ? Self.mm(g, inputs[1]!, transB: true) : nil,
      needed[1] ? Self.mm(inputs[0]!, g, transA: true) : nil,
    ]
  }
}

struct TAdd: DifferentiableOperator {
  static let opType = "Add"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = inputs[0]!
    let b = inputs[1]!
    let shape = Broadcast.shape(a.shape, b.shape)!
    var out = [Float](repeating: 0, count: Tensor.elementCount(shape))
    let av = a.floatValues()
    let bv = b.floatValues()
    Broadcast.forEachRow(target: shape, shapes: [a.shape, b.shape]) { start, offsets, strides, count in
      for i in 0..<count { out[start + i] = av[offsets[0] + i * strides[0]] + bv[offsets[1] + i * strides[1]] }
    }
    return [Tensor(out, shape: shape)]
  }
  // Returns the output's (broadcast) shape: the driver reduces it.
  func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    [needed[0] ? outputGradients[0] : nil, needed[1] ? outputGradients[0] : nil]
  }
}

struct TMul: DifferentiableOperator {
  static let opType = "Mul"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = inputs[0]!.floatValues()
    let b = inputs[1]!.floatValues()
    return [Tensor(zip(a, b).map(*), shape: inputs[0]!.shape)]
  }
  func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let g = outputGradients[0]!.floatValues()
    let a = inputs[0]!.floatValues()
    let b = inputs[1]!.floatValues()
    return [
      needed[0] ? Tensor(zip(g, b).map(*), shape: inputs[0]!.shape) : nil,
      needed[1] ? Tensor(zip(g, a).map(*), shape: inputs[1]!.shape) : nil,
    ]
  }
}

struct TRelu: DifferentiableOperator {
  static let opType = "Relu"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [Tensor(inputs[0]!.floatValues().map { max($0, 0) }, shape: inputs[0]!.shape)]
  }
  func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = inputs[0]!.floatValues()
    let g = outputGradients[0]!.floatValues()
    return [Tensor(zip(x, g).map { $0 > 0 ? $1 : 0 }, shape: inputs[0]!.shape)]
  }
}

/// An op with no gradient rule.
struct TSign: Operator {
  static let opType = "Sign"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [Tensor(inputs[0]!.floatValues().map { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, shape: inputs[0]!.shape)]
  }
}

@Suite struct GradientProgramTests {
  static let resolver = OperatorResolver(operators: [TMatMul.self, TAdd.self, TMul.self, TRelu.self, TSign.self])

  static func tensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededRandom(seed: seed)
    return Tensor((0..<Tensor.elementCount(shape)).map { _ in rng.nextFloat() * 2 - 1 }, shape: shape)
  }

  /// x → MatMul(W0, frozen) → Relu → MatMul(W1) → Add(b1, broadcast) → Relu → h;
  /// y = MatMul(h ⊙ h + h, W2) + b2  (h feeds two nodes: accumulation).
  static func model(extra: [Node] = []) -> Model {
    let inits = [
      TensorProto(name: "W0", data: tensor([3, 5], seed: 1)), TensorProto(name: "W1", data: tensor([5, 4], seed: 2)),
      TensorProto(name: "b1", data: tensor([4], seed: 3)), TensorProto(name: "W2", data: tensor([4, 2], seed: 4)),
      TensorProto(name: "b2", data: tensor([1, 2], seed: 5)),
    ]
    let nodes = [
      Node(opType: "MatMul", inputs: ["x", "W0"], outputs: ["f0"], name: "frozen_mm"),
      Node(opType: "Relu", inputs: ["f0"], outputs: ["f1"], name: "frozen_relu"),
      Node(opType: "MatMul", inputs: ["f1", "W1"], outputs: ["a"], name: "mm1"),
      Node(opType: "Add", inputs: ["a", "b1"], outputs: ["a1"], name: "add1"),
      Node(opType: "Relu", inputs: ["a1"], outputs: ["h"], name: "relu1"),
      Node(opType: "Mul", inputs: ["h", "h"], outputs: ["hh"], name: "square"),
      Node(opType: "Add", inputs: ["hh", "h"], outputs: ["hs"], name: "residual"),
      Node(opType: "MatMul", inputs: ["hs", "W2"], outputs: ["z"], name: "mm2"),
      Node(opType: "Add", inputs: ["z", "b2"], outputs: ["y"], name: "add2"),
    ] + extra
    let graph = Graph(
      nodes: nodes, name: "g", initializers: inits,
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(3)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, [.symbol("N"), .value(2)]))])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], graph: graph)
  }

  @Test func gradientsMatchFiniteDifferences() throws {
    let model = Self.model()
    let plan = try ExecutionPlan(model: model, operators: Self.resolver)
    let trainable: Set<String> = ["W1", "b1", "W2", "b2"]
    let program = try GradientProgram(plan: plan, trainable: trainable, output: "y")
    #expect(program.recordedStepCount == 7, "the frozen MatMul and Relu are not recorded")
    let x = Self.tensor([6, 3], seed: 9)
    let r = Self.tensor([6, 2], seed: 10)
    var params: [String: Tensor] = [:]
    for i in model.graph!.initializers { params[i.name!] = i.data }
    let tape = try program.forward(inputs: ["x": x], parameters: params)
    let grads = try program.backward(tape, outputGradient: r)
    func loss(_ p: [String: Tensor]) throws -> Double {
      let y = try program.forward(inputs: ["x": x], parameters: p).output.floatValues()
      return zip(y, r.floatValues()).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    // Central differences, h = 1e-3; float32 forward: |Δ| ≤ 2e-3 + 1e-2·|numeric|.
    let h: Float = 1e-3
    for name in trainable.sorted() {
      let g = grads[name]!.floatValues()
      #expect(grads[name]!.shape == params[name]!.shape, "\(name): gradient shape")
      for j in 0..<params[name]!.count {
        var plus = params
        var minus = params
        plus[name]!.withMutableElements(as: Float.self) { $0[j] += h }
        minus[name]!.withMutableElements(as: Float.self) { $0[j] -= h }
        let numeric = Float((try loss(plus) - loss(minus)) / Double(2 * h))
        #expect(abs(g[j] - numeric) <= 2e-3 + 1e-2 * abs(numeric), "\(name)[\(j)]: \(g[j]) vs \(numeric)")
      }
    }
  }

  @Test func frozenPrefixHoldsNoMemory() throws {
    let plan = try ExecutionPlan(model: Self.model(), operators: Self.resolver)
    let headOnly = try GradientProgram(plan: plan, trainable: ["W2", "b2"], output: "y")
    #expect(headOnly.recordedStepCount == 2)
    let everything = try GradientProgram(plan: plan, trainable: ["W0", "W1", "b1", "W2", "b2"], output: "y")
    #expect(everything.recordedStepCount == 9)
    let x = Self.tensor([64, 3], seed: 11)
    let small = try headOnly.forward(inputs: ["x": x], parameters: [:])
    let large = try everything.forward(inputs: ["x": x], parameters: [:])
    // Head only: hs [64,4], W2, z [64,2], b2, y [64,2].
    #expect(small.retainedBytes == (64 * 4 + 8 + 128 + 2 + 128) * 4)
    #expect(small.retainedBytes < large.retainedBytes / 3)
  }

  @Test func missingGradientRuleNamesTheNode() throws {
    var model = Self.model()
    // Put a Sign between the trainable part and the output.
    model.graph!.nodes[8].outputs = ["y0"]
    model.graph!.nodes.append(Node(opType: "Sign", inputs: ["y0"], outputs: ["y"], name: "sign"))
    let plan = try ExecutionPlan(model: model, operators: Self.resolver)
    do {
      _ = try GradientProgram(plan: plan, trainable: ["W2"], output: "y")
      Issue.record("expected an error")
    } catch let e as ExecutionError {
      #expect(e.node == "sign")
      #expect(e.message.contains("no gradient rule for Sign"))
    }
    // A Sign in the frozen prefix is fine.
    var frozen = Self.model()
    frozen.graph!.nodes[1] = Node(opType: "Sign", inputs: ["f0"], outputs: ["f1"], name: "frozen_sign")
    _ = try GradientProgram(plan: try ExecutionPlan(model: frozen, operators: Self.resolver), trainable: ["W1"], output: "y")
  }

  @Test func unknownNamesAreErrors() throws {
    let plan = try ExecutionPlan(model: Self.model(), operators: Self.resolver)
    #expect(throws: ExecutionError.self) { try GradientProgram(plan: plan, trainable: ["nope"], output: "y") }
    #expect(throws: ExecutionError.self) { try GradientProgram(plan: plan, trainable: ["W1"], output: "nope") }
  }

  @Test func stubOpsPassTheirOwnGradientCheck() throws {
    let node = Node(opType: "Add", inputs: ["a", "b"], outputs: ["c"])
    let mismatches = try GradientCheck.check(
      TAdd(node: node, opset: 13), inputs: [Self.tensor([2, 3], seed: 1), Self.tensor([3], seed: 2)], wrt: [0, 1])
    #expect(mismatches.isEmpty, "\(mismatches)")
  }
}
