/// A named graph rewrite. A pass looks at a model and returns a patch; it never edits the model
/// itself. `PassDriver` applies the patch and re-verifies the graph.
///
/// ```swift
/// var model = try ONNXReader.readModel(atPath: "model.onnx")
/// let reports = try PassDriver.run([DeadNodeElimination(), IdentityRemoval()], on: &model)
/// ```
public protocol GraphPass: Sendable {
  /// The name used in errors and reports, e.g. `ReplaceClassifierHead`.
  var name: String { get }
  /// The edits this pass makes to `model.graph` (an empty patch when there is nothing to do).
  func patch(for model: Model) throws -> GraphPatch
}

/// What one pass did.
public struct PassReport: Sendable, CustomStringConvertible {
  public var pass: String
  public var nodesRemoved: Int
  public var nodesAdded: Int
  public var initializersChanged: Int
  public var description: String {
    "\(pass): -\(nodesRemoved) +\(nodesAdded) nodes, \(initializersChanged) initializer edits"
  }
}

/// An error from a pass or from verifying its result, with context:
/// `pass ReplaceClassifierHead, node 'fc' (Gemm): the weight is not a constant`.
public struct PassError: Error, CustomStringConvertible, Sendable {
  public var pass: String
  /// `'name' (OpType)` of the node concerned, if any.
  public var node: String?
  public var message: String

  public init(pass: String = "", node: Node? = nil, _ message: String) {
    self.pass = pass
    self.node = node?.label
    self.message = message
  }

  public var description: String {
    var parts: [String] = []
    if !pass.isEmpty { parts.append("pass \(pass)") }
    if let node { parts.append("node \(node)") }
    return parts.isEmpty ? message : parts.joined(separator: ", ") + ": " + message
  }
}

/// Applies passes one after another, verifying the graph after each.
public enum PassDriver {
  /// Runs `passes` in order on `model`. The model is left unchanged if any pass fails.
  @discardableResult
  public static func run(_ passes: [any GraphPass], on model: inout Model) throws -> [PassReport] {
    var work = model
    var reports: [PassReport] = []
    for pass in passes { reports.append(try apply(pass, to: &work)) }
    model = work
    return reports
  }

  /// Runs one pass: computes its patch, applies it, restores topological order and verifies.
  @discardableResult
  public static func apply(_ pass: any GraphPass, to model: inout Model) throws -> PassReport {
    guard model.graph != nil else { throw PassError(pass: pass.name, "the model has no graph") }
    let patch: GraphPatch
    do {
      patch = try pass.patch(for: model)
    } catch var e as PassError {
      if e.pass.isEmpty { e.pass = pass.name }
      throw e
    } catch {
      throw PassError(pass: pass.name, "\(error)")
    }
    let report = PassReport(
      pass: pass.name, nodesRemoved: patch.removedNodes.count, nodesAdded: patch.addedNodes.count,
      initializersChanged: patch.upsertedInitializers.count + patch.removedInitializers.count)
    if patch.isEmpty { return report }
    var graph = model.graph!
    patch.apply(to: &graph)
    // Drop value_info of values that no longer exist.
    let live = Set(graph.nodes.flatMap(\.outputs) + graph.initializers.compactMap(\.name) + graph.inputs.compactMap(\.name))
    graph.valueInfo.removeAll { !live.contains($0.name ?? "") }
    // IR < 4 requires every initializer to be listed as a graph input too.
    if let ir = model.irVersion, ir < 4 {
      let listed = Set(graph.inputs.compactMap(\.name))
      for t in graph.initializers where !listed.contains(t.name ?? "") {
        graph.inputs.append(ValueInfo(name: t.name, type: .tensor(t.data.dtype, t.data.shape.map { .value(Int64($0)) })))
      }
    }
    do {
      if (try? GraphVerifier.verify(graph)) == nil { graph = try graph.topologicallySorted() }
      try GraphVerifier.verify(graph)
    } catch let e as GraphError {
      throw PassError(pass: pass.name, "the patched graph is invalid: \(e.message)")
    }
    model.graph = graph
    return report
  }
}
