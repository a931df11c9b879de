/// Removes nodes none of whose outputs are used (by a node, a subgraph or a graph output), then
/// initializers nothing reads. Semantics-preserving.
public struct DeadNodeElimination: GraphPass {
  public let name = "DeadNodeElimination"
  public init() {}

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    var patch = GraphPatch()
    var used = Set(graph.outputs.compactMap(\.name))
    var live = [Bool](repeating: false, count: graph.nodes.count)
    for i in graph.nodes.indices.reversed() {
      let n = graph.nodes[i]
      guard n.outputs.contains(where: { !$0.isEmpty && used.contains($0) }) else { continue }
      live[i] = true
      for v in n.inputs where !v.isEmpty { used.insert(v) }
      used.formUnion(n.subgraphReferences)
    }
    for i in graph.nodes.indices where !live[i] { patch.removeNode(at: i) }
    for t in graph.initializers {
      if let n = t.name, !used.contains(n) { patch.removeInitializer(named: n) }
    }
    return patch
  }
}
