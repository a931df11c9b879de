/// Removes `Identity` nodes: their consumers read the input directly. An Identity producing a
/// graph output gives its name to the value it copies instead (so the output keeps its name),
/// unless that value is itself a graph input, initializer or output. Semantics-preserving.
public struct IdentityRemoval: GraphPass {
  public let name = "IdentityRemoval"
  public init() {}

  public func patch(for model: Model) throws -> GraphPatch {
    var patch = GraphPatch()
    Bypass.nodes(in: model.graph!, where: { $0.isStandard("Identity") }, patch: &patch)
    return patch
  }
}

/// Removes `Dropout` nodes, which are the identity at inference (deployment export only: a model
/// still to be trained keeps them). A Dropout whose mask output is used is kept.
public struct DropoutRemoval: GraphPass {
  public let name = "DropoutRemoval"
  public init() {}

  public func patch(for model: Model) throws -> GraphPatch {
    var patch = GraphPatch()
    Bypass.nodes(
      in: model.graph!,
      where: { n in
        // Opset 12+: training_mode (input 2) given and not a constant false keeps the node.
        n.isStandard("Dropout") && (n.inputs.count < 3 || n.inputs[2].isEmpty || model.graph!.constantTensor(n.inputs[2]).map { $0.tensor.int64Values() == [0] } == true)
      }, patch: &patch)
    return patch
  }
}

/// Shared by the passes that drop a node whose first output equals its first input.
enum Bypass {
  static func nodes(in graph: Graph, where select: (Node) -> Bool, patch: inout GraphPatch) {
    let outputs = Set(graph.outputs.compactMap(\.name))
    let fixed = outputs.union(graph.inputs.compactMap(\.name)).union(graph.initializers.compactMap(\.name))
    let consumers = graph.consumerIndices
    let producer = graph.producerIndex
    var renamedSources = Set<String>()
    for (i, n) in graph.nodes.enumerated() where select(n) {
      guard let input = n.inputs.first, !input.isEmpty, let output = n.outputs.first, !output.isEmpty else { continue }
      // Extra outputs (a Dropout mask) must be unused.
      if n.outputs.dropFirst().contains(where: { !$0.isEmpty && (consumers[$0] != nil || outputs.contains($0)) }) { continue }
      if !outputs.contains(output) {
        patch.removeNode(at: i)
        patch.rewire(output, to: input)
      } else if !fixed.contains(input), let p = producer[input], !select(graph.nodes[p]),
        renamedSources.insert(input).inserted
      {
        // The output keeps its name: the value copied takes it.
        patch.removeNode(at: i)
        patch.rename(input, to: output)
      }
    }
  }
}
