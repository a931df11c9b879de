/// Names for the values and initializers a pass adds: `fresh(base)` is `base`, or `base_1`,
/// `base_2`, … when the graph (or an earlier `fresh`) already uses it.
public struct ValueNames {
  private var used: Set<String>

  /// Every name `graph` uses: initializers, graph inputs and outputs, node inputs and outputs.
  public init(_ graph: Graph) {
    used = Set(graph.initializers.compactMap(\.name) + graph.nodes.flatMap { $0.inputs + $0.outputs })
    used.formUnion(graph.inputs.compactMap(\.name) + graph.outputs.compactMap(\.name))
  }

  public mutating func fresh(_ base: String) -> String {
    var name = base
    var k = 1
    while used.contains(name) {
      name = "\(base)_\(k)"
      k += 1
    }
    used.insert(name)
    return name
  }
}
