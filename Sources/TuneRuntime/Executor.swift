import Dispatch
import TuneIR
import TuneTensor

/// Memory use observed during one run.
public struct RunStatistics: Equatable, Sendable {
  /// The most node outputs alive at once (initializers and caller inputs not counted).
  public var peakLiveValues = 0
  /// The most bytes of node outputs alive at once.
  public var peakLiveBytes = 0
  /// Node outputs released before the run ended.
  public var releasedValues = 0
  /// Time spent per op type (main graph and subgraphs), when the context was profiling.
  public var opTimes: [String: OpTime] = [:]
  /// Time spent per node (keyed by node name, or op type and step number for unnamed nodes),
  /// when the context was profiling.
  public var nodeTimes: [String: OpTime] = [:]
  public init() {}
}

/// Calls of one op type in a run and the time they took.
public struct OpTime: Equatable, Sendable {
  public var calls = 0
  public var seconds = 0.0
  public init() {}
}

/// Runs execution plans: binds inputs, runs every step in order, releases each value after its
/// last use, and wraps op errors with the node's name, op type and input shapes.
///
///     let plan = try ExecutionPlan(model: model)
///     let outputs = try Executor.run(plan, inputs: ["x": x])   // outputs in graph order
public enum Executor {
  /// Runs the main graph of `plan`. `inputs` binds every graph input that is not an initializer
  /// (initializers that are also graph inputs may be overridden). Inputs are checked against
  /// their declared element type and fixed dimensions. Returns the outputs in graph order.
  public static func run(
    _ plan: ExecutionPlan, inputs: [String: Tensor],
    context: ExecutionContext = ExecutionContext()
  ) throws -> [Tensor] {
    var stats = RunStatistics()
    return try run(plan, inputs: inputs, context: context, statistics: &stats)
  }

  /// `run`, also reporting memory use.
  public static func run(
    _ plan: ExecutionPlan, inputs: [String: Tensor], context: ExecutionContext,
    statistics: inout RunStatistics
  ) throws -> [Tensor] {
    try execute(plan, bindings: inputs, context: context, parent: nil, stats: &statistics)
  }

  /// Values of one running graph, with the scope that encloses it (for subgraphs).
  final class Frame {
    let plan: ExecutionPlan
    var values: [Tensor?]
    let parent: Frame?
    init(plan: ExecutionPlan, parent: Frame?) {
      self.plan = plan
      self.values = Array(repeating: nil, count: plan.slotNames.count)
      self.parent = parent
    }
    func lookup(_ name: String) -> Tensor? {
      if let s = plan.slots[name], let v = values[s] { return v }
      return parent?.lookup(name)
    }
  }

  static func execute(
    _ plan: ExecutionPlan, bindings: [String: Tensor], context: ExecutionContext, parent: Frame?,
    stats: inout RunStatistics
  ) throws -> [Tensor] {
    let frame = Frame(plan: plan, parent: parent)
    for (slot, value) in plan.constants { frame.values[slot] = value }

    // Inputs.
    var bound = 0
    for (name, slot, type) in plan.inputs {
      guard let t = bindings[name] else {
        let kind = parent == nil ? "input" : "subgraph input"
        throw ExecutionError(
          message: "missing \(kind) '\(name)' (\(ExecutionError.describe(type)))")
      }
      if parent == nil { try check(t, named: name, against: type) }
      frame.values[slot] = t
      bound += 1
    }
    for (name, slot) in plan.overridableInputs {
      if let t = bindings[name] {
        frame.values[slot] = t
        bound += 1
      }
    }
    if bound < bindings.count {
      let known = Set(plan.inputs.map(\.name)).union(plan.overridableInputs.keys)
      let unknown = bindings.keys.filter { !known.contains($0) }.sorted()
      let expected = plan.inputs.map { "'\($0.name)'" }.joined(separator: ", ")
      throw ExecutionError(
        message: "unknown input\(unknown.count > 1 ? "s" : "") "
          + unknown.map { "'\($0)'" }.joined(separator: ", ") + " (the graph's inputs are \(expected))")
    }
    for (name, slot) in plan.capturedNames {
      guard let v = parent?.lookup(name) else {
        throw ExecutionError(message: "subgraph reads '\(name)', which no enclosing scope defines")
      }
      frame.values[slot] = v
    }

    var liveValues = 0
    var liveBytes = 0
    for (index, step) in plan.steps.enumerated() {
      var arguments: [Tensor?] = []
      arguments.reserveCapacity(step.inputs.count)
      for (k, slot) in step.inputs.enumerated() {
        guard let slot else {
          arguments.append(nil)
          continue
        }
        guard let v = frame.values[slot] else {
          throw ExecutionError(
            step.node,
            "input '\(step.node.inputs[k])' has no value (its producer did not return it)",
            inputs: arguments.map(ExecutionError.describe))
        }
        arguments.append(v)
      }

      // Inputs read for the last time leave the frame, so the op may write over them.
      for k in step.donations {
        guard let slot = step.inputs[k], let v = frame.values[slot] else { continue }
        frame.values[slot] = nil
        liveValues -= 1
        liveBytes -= v.byteCount
        stats.releasedValues += 1
      }

      let results: [Tensor]
      let outerRunSubgraph = context.runSubgraph
      if !step.subgraphs.isEmpty {
        context.runSubgraph = subgraphRunner(plan: plan, step: step, frame: frame, context: context)
      }
      defer { context.runSubgraph = outerRunSubgraph }
      let started = context.profiling ? DispatchTime.now().uptimeNanoseconds : 0
      do {
        results = try step.op.forward(reusing: &arguments, context: context)
      } catch let e as OpError {
        throw ExecutionError(step.node, e.message, inputs: arguments.map(ExecutionError.describe))
      } catch {
        throw ExecutionError(step.node, "\(error)", inputs: arguments.map(ExecutionError.describe))
      }
      arguments = []
      if context.profiling {
        let domain = step.node.domain ?? ""
        let opType = step.node.opType ?? "?"
        let key = domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain):\(opType)"
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
        stats.opTimes[key, default: OpTime()].calls += 1
        stats.opTimes[key, default: OpTime()].seconds += seconds
        let nodeKey = step.node.name.flatMap { $0.isEmpty ? nil : $0 } ?? "\(key) #\(index)"
        stats.nodeTimes[nodeKey, default: OpTime()].calls += 1
        stats.nodeTimes[nodeKey, default: OpTime()].seconds += seconds
      }

      for (k, slot) in step.outputs.enumerated() where k < results.count {
        guard let slot else { continue }
        frame.values[slot] = results[k]
        liveValues += 1
        liveBytes += results[k].byteCount
      }
      stats.peakLiveValues = max(stats.peakLiveValues, liveValues)
      stats.peakLiveBytes = max(stats.peakLiveBytes, liveBytes)
      for slot in step.releases {
        guard let v = frame.values[slot] else { continue }
        frame.values[slot] = nil
        if plan.isNodeOutput[slot] {
          liveValues -= 1
          liveBytes -= v.byteCount
          stats.releasedValues += 1
        }
      }
    }

    return try plan.outputs.map { name, slot in
      guard let v = frame.values[slot] else {
        throw ExecutionError(message: "graph output '\(name)' was not computed (its producer did not return it)")
      }
      return v
    }
  }

  /// A `runSubgraph` function for `step` of `plan`, for a driver that runs steps itself (the
  /// training forward): `values` are the values of the plan's slots at that step (the outer
  /// scope the step's subgraphs read), `parent` the enclosing frame when `plan` is a subgraph.
  ///
  ///     context.runSubgraph = Executor.subgraphRunner(plan: plan, step: step, values: values, context: context)
  public static func subgraphRunner(
    plan: ExecutionPlan, step: ExecutionPlan.Step, values: [Tensor?], context: ExecutionContext
  ) -> (Graph, [String: Tensor]) throws -> [Tensor] {
    let frame = Frame(plan: plan, parent: nil)
    frame.values = values
    return subgraphRunner(plan: plan, step: step, frame: frame, context: context)
  }

  static func subgraphRunner(
    plan: ExecutionPlan, step: ExecutionPlan.Step, frame: Frame, context: ExecutionContext
  ) -> (Graph, [String: Tensor]) throws -> [Tensor] {
    return { graph, bindings in
      let sub =
        try plan.subplan(for: graph, in: step)
        ?? ExecutionPlan(graph: graph, opsets: plan.opsets, operators: plan.operators, isSubgraph: true)
      var ignored = RunStatistics()
      return try execute(sub, bindings: bindings, context: context, parent: frame, stats: &ignored)
    }
  }

  /// Checks a caller's input against its declared element type and fixed dimensions.
  static func check(_ t: Tensor, named name: String, against type: TypeProto?) throws {
    guard let type else { return }
    let mismatch = {
      ExecutionError(
        message: "input '\(name)' should be \(ExecutionError.describe(type)), got \(ExecutionError.describe(t))")
    }
    if let e = type.tensorElementType, e != t.dtype { throw mismatch() }
    if let dims = type.tensorDims {
      guard dims.count == t.rank else { throw mismatch() }
      for (d, n) in zip(dims, t.shape) {
        if let v = d.fixedValue, v != Int64(n) { throw mismatch() }
      }
    }
  }
}
