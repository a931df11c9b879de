import TuneIR
import TuneTensor

/// What it takes to run one graph: its nodes in a topological order, each op instantiated once
/// for the model's opset, every value given an integer slot, and for each step the values whose
/// last use it is (so that their buffers are released right after it).
///
/// A plan depends on the graph only, not on the input shapes: one plan serves every batch size
/// (ops read shapes from their input tensors at run time). Building it checks everything that
/// can be checked before running: every op is supported and accepts its attributes, every input
/// is produced by a node, a graph input or an initializer, no value is produced twice, and the
/// graph has no cycle. Subgraphs (`If`, `Loop`, `Scan` bodies) get plans of their own, built with
/// their parent; the outer-scope values a subgraph reads count as inputs of the node that owns it,
/// both for the order and for the lifetimes.
///
///     let plan = try ExecutionPlan(model: model)
///     let outputs = try Executor.run(plan, inputs: ["x": x])
public final class ExecutionPlan: Sendable {
  /// One node to run.
  public struct Step: Sendable {
    /// Index of the node in `graph.nodes`.
    public let nodeIndex: Int
    public let node: Node
    public let op: any Operator
    /// Slots of the node's inputs; nil for an omitted optional input ("").
    public let inputs: [Int?]
    /// Slots of the node's outputs; nil for an unnamed output ("").
    public let outputs: [Int?]
    /// Slots of outer-scope values its subgraphs read.
    public let capturedInputs: [Int]
    /// Slots whose last use is this step (released once it has run).
    public let releases: [Int]
    /// Positions of inputs the executor hands over to the op (`Operator.forward(reusing:)`):
    /// node outputs read for the last time here, by this one input position only.
    public let donations: [Int]
    /// Plans of the node's graph attributes, in attribute order.
    public let subgraphs: [ExecutionPlan]
  }

  public let graph: Graph
  /// Opset version by domain ("" for the default domain).
  public let opsets: [String: Int]
  public let operators: OperatorResolver
  public let steps: [Step]
  /// Name of each slot.
  public let slotNames: [String]
  /// Slot of each value name.
  public let slots: [String: Int]
  /// Initializers, loaded into their slots at the start of a run (the tensors share the model's
  /// buffers: nothing is copied).
  public let constants: [(slot: Int, value: Tensor)]
  /// Inputs a caller binds: the graph inputs that are not initializers (for a subgraph, all of
  /// its inputs), with their declared types.
  public let inputs: [(name: String, slot: Int, type: TypeProto?)]
  /// Initializers that are also graph inputs: a caller may override them.
  public let overridableInputs: [String: Int]
  /// Slot of each graph output, in order.
  public let outputs: [(name: String, slot: Int)]
  /// True for the slots of node outputs (the values a run allocates).
  public let isNodeOutput: [Bool]
  /// Names read from an enclosing scope (only subgraphs have any), with their slots.
  public let capturedNames: [(name: String, slot: Int)]

  /// A plan for the main graph of `model`.
  public convenience init(model: Model, operators: OperatorResolver = .standard) throws {
    guard let graph = model.graph else { throw ExecutionError(message: "the model has no graph") }
    var opsets: [String: Int] = [:]
    for o in model.opsetImports {
      let d = (o.domain ?? "") == "ai.onnx" ? "" : (o.domain ?? "")
      if let v = o.version { opsets[d] = Int(v) }
    }
    try self.init(graph: graph, opsets: opsets, operators: operators, isSubgraph: false)
  }

  /// A plan for `graph`. A subgraph may read values it does not define (from an enclosing
  /// scope); the main graph may not.
  public init(
    graph: Graph, opsets: [String: Int], operators: OperatorResolver = .standard,
    isSubgraph: Bool
  ) throws {
    self.graph = graph
    self.opsets = opsets
    self.operators = operators
    let nodes = graph.nodes

    var slotNames: [String] = []
    var slots: [String: Int] = [:]
    func slot(_ name: String) -> Int {
      if let s = slots[name] { return s }
      slots[name] = slotNames.count
      slotNames.append(name)
      return slotNames.count - 1
    }

    // Declared types, for messages.
    var declared: [String: String] = [:]
    for v in graph.inputs + graph.outputs + graph.valueInfo {
      if let n = v.name, declared[n] == nil { declared[n] = ExecutionError.describe(v.type) }
    }
    for i in graph.initializers {
      if let n = i.name { declared[n] = ExecutionError.describe(i.data) }
    }
    func declaredInputs(_ node: Node) -> [String] {
      node.inputs.map { $0.isEmpty ? "none" : "\($0): \(declared[$0] ?? "?")" }
    }

    // What the graph defines, and who produces what.
    var defined = Set<String>()
    var constants: [(slot: Int, value: Tensor)] = []
    var initializerNames = Set<String>()
    for i in graph.initializers {
      guard let n = i.name, !n.isEmpty else { continue }
      initializerNames.insert(n)
      defined.insert(n)
      constants.append((slot(n), i.data))
    }
    var inputs: [(name: String, slot: Int, type: TypeProto?)] = []
    var overridable: [String: Int] = [:]
    for v in graph.inputs {
      guard let n = v.name, !n.isEmpty else { continue }
      if initializerNames.contains(n) && !isSubgraph {
        overridable[n] = slot(n)
      } else {
        inputs.append((n, slot(n), v.type))
      }
      defined.insert(n)
    }
    var producer: [String: Int] = [:]
    for (i, node) in nodes.enumerated() {
      for o in node.outputs where !o.isEmpty {
        if let p = producer[o] {
          throw ExecutionError(
            node, "output '\(o)' is also produced by node '\(nodes[p].displayName)'",
            inputs: declaredInputs(node))
        }
        if defined.contains(o) {
          throw ExecutionError(
            node, "output '\(o)' is also a graph input or initializer", inputs: declaredInputs(node))
        }
        producer[o] = i
      }
    }
    defined.formUnion(producer.keys)

    // Ops, in file order so that the first unsupported node is the one reported.
    var ops: [any Operator] = []
    var subplans: [[ExecutionPlan]] = []
    var captured: [[String]] = []
    for node in nodes {
      let opType = node.opType ?? ""
      let domain = (node.domain ?? "") == "ai.onnx" ? "" : (node.domain ?? "")
      guard let type = operators.lookup(opType: opType, domain: domain) else {
        let where_ = domain.isEmpty ? "" : " in domain '\(domain)'"
        throw ExecutionError(
          node, "unsupported op type '\(opType)'\(where_)", inputs: declaredInputs(node))
      }
      guard let version = opsets[domain] else {
        throw ExecutionError(
          node, "the model imports no opset for domain '\(domain.isEmpty ? "ai.onnx" : domain)'",
          inputs: declaredInputs(node))
      }
      do {
        ops.append(try type.init(node: node, opset: version))
      } catch {
        throw ExecutionError(node, "\(error)", inputs: declaredInputs(node))
      }
      var plans: [ExecutionPlan] = []
      for a in node.attributes {
        for g in a.graphStorage + a.graphs {
          do {
            plans.append(
              try ExecutionPlan(graph: g, opsets: opsets, operators: operators, isSubgraph: true))
          } catch {
            throw ExecutionError(
              node, "in subgraph '\(a.name ?? "")': \(error)", inputs: declaredInputs(node))
          }
        }
      }
      subplans.append(plans)
      var names: [String] = []
      var seen = Set<String>()
      for p in plans {
        for (n, _) in p.capturedNames where seen.insert(n).inserted { names.append(n) }
      }
      captured.append(names)
    }

    // Every value read must be defined here or (in a subgraph) in an enclosing scope.
    var free: [String] = []
    var freeSet = Set<String>()
    func use(_ name: String, by node: Node?) throws {
      if defined.contains(name) { return }
      guard isSubgraph else {
        if let node {
          throw ExecutionError(
            node,
            "input '\(name)' is not produced by any node, graph input or initializer",
            inputs: declaredInputs(node))
        }
        throw ExecutionError(
          message: "graph output '\(name)' is not produced by any node, graph input or initializer")
      }
      if freeSet.insert(name).inserted { free.append(name) }
    }
    for (i, node) in nodes.enumerated() {
      for n in node.inputs where !n.isEmpty { try use(n, by: node) }
      for n in captured[i] { try use(n, by: node) }
    }
    for o in graph.outputs { try use(o.name ?? "", by: nil) }

    // Topological order: the file order when it is one (it nearly always is), else Kahn's.
    func dependencies(_ i: Int) -> [Int] {
      (nodes[i].inputs + captured[i]).compactMap { $0.isEmpty ? nil : producer[$0] }
    }
    var order: [Int] = []
    var fileOrderValid = true
    for i in nodes.indices where dependencies(i).contains(where: { $0 >= i }) {
      fileOrderValid = false
      break
    }
    if fileOrderValid {
      order = Array(nodes.indices)
    } else {
      var pending = nodes.indices.map { Set(dependencies($0)).count }
      var users: [[Int]] = Array(repeating: [], count: nodes.count)
      for i in nodes.indices { for d in Set(dependencies(i)) { users[d].append(i) } }
      var ready = nodes.indices.filter { pending[$0] == 0 }
      var head = 0
      while head < ready.count {
        let i = ready[head]
        head += 1
        order.append(i)
        for u in users[i] {
          pending[u] -= 1
          if pending[u] == 0 { ready.append(u) }
        }
      }
      if order.count < nodes.count {
        let stuck = nodes.indices.filter { pending[$0] > 0 }.map { "'\(nodes[$0].displayName)'" }
        throw ExecutionError(
          message: "the graph has a cycle through nodes \(stuck.prefix(8).joined(separator: ", "))")
      }
    }

    // Slots and last uses.
    let capturedNames = free.map { ($0, slot($0)) }
    let outputs = graph.outputs.map { ($0.name ?? "", slot($0.name ?? "")) }
    var lastUse: [Int: Int] = [:]
    var stepInputs: [[Int?]] = []
    var stepOutputs: [[Int?]] = []
    var stepCaptured: [[Int]] = []
    for (s, i) in order.enumerated() {
      let node = nodes[i]
      let ins = node.inputs.map { $0.isEmpty ? nil : slot($0) }
      let outs = node.outputs.map { $0.isEmpty ? nil : slot($0) }
      let caps = captured[i].map { slot($0) }
      for x in ins.compactMap({ $0 }) + caps { lastUse[x] = s }
      // A value nothing reads is released right after it is made.
      for x in outs.compactMap({ $0 }) where lastUse[x] == nil { lastUse[x] = s }
      stepInputs.append(ins)
      stepOutputs.append(outs)
      stepCaptured.append(caps)
    }
    for (_, s) in outputs { lastUse[s] = nil }
    var releases: [[Int]] = Array(repeating: [], count: order.count)
    for (slot, s) in lastUse { releases[s].append(slot) }

    var isNodeOutput = Array(repeating: false, count: slotNames.count)
    for o in producer.keys { isNodeOutput[slots[o]!] = true }
    func donations(_ s: Int) -> [Int] {
      let released = Set(releases[s])
      let ins = stepInputs[s]
      return ins.indices.filter { k in
        guard let slot = ins[k], released.contains(slot), isNodeOutput[slot],
          !stepCaptured[s].contains(slot), !stepOutputs[s].contains(slot)
        else { return false }
        return ins.filter { $0 == slot }.count == 1
      }
    }
    self.steps = order.enumerated().map { s, i in
      Step(
        nodeIndex: i, node: nodes[i], op: ops[i], inputs: stepInputs[s], outputs: stepOutputs[s],
        capturedInputs: stepCaptured[s], releases: releases[s].sorted(), donations: donations(s),
        subgraphs: subplans[i])
    }
    self.isNodeOutput = isNodeOutput
    self.slotNames = slotNames
    self.slots = slots
    self.constants = constants
    self.inputs = inputs
    self.overridableInputs = overridable
    self.outputs = outputs
    self.capturedNames = capturedNames
  }

  /// The sub-plan for `graph` among a step's subgraphs (the op hands back one of its own graph
  /// attributes), or nil.
  func subplan(for graph: Graph, in step: Step) -> ExecutionPlan? {
    let candidates = step.subgraphs.filter {
      $0.graph.nodes.count == graph.nodes.count && $0.graph.outputs == graph.outputs
        && $0.graph.name == graph.name
    }
    if candidates.count == 1 { return candidates[0] }
    return candidates.first { $0.graph == graph }
  }
}
