/// A set of edits to one graph, computed by a pass against the graph it was given and applied
/// by `PassDriver` (in the spirit of tract's `ModelPatch`).
///
/// Nodes are named by their index in the graph the pass saw. The driver applies edits in this
/// order: value rewires and renames, node replacements, node removals, node additions,
/// initializer edits, value-type edits; then it restores a topological order (keeping the file
/// order wherever it is valid) and verifies the graph.
///
/// ```swift
/// var patch = GraphPatch()
/// patch.removeNode(at: i)                      // an Identity
/// patch.rewire(identity.outputs[0], to: identity.inputs[0])
/// ```
public struct GraphPatch: Sendable {
  public private(set) var removedNodes: Set<Int> = []
  public private(set) var replacedNodes: [Int: Node] = [:]
  public private(set) var addedNodes: [Node] = []
  /// Consumers of `from` read `to` instead (graph outputs are not renamed by a rewire).
  public private(set) var rewires: [(from: String, to: String)] = []
  /// Value `from` is renamed to `to` everywhere: its producer, consumers and graph outputs.
  public private(set) var renames: [(from: String, to: String)] = []
  public private(set) var upsertedInitializers: [TensorProto] = []
  public private(set) var removedInitializers: Set<String> = []
  public private(set) var valueTypes: [(name: String, type: TypeProto?)] = []

  public init() {}

  /// True when the patch changes nothing.
  public var isEmpty: Bool {
    removedNodes.isEmpty && replacedNodes.isEmpty && addedNodes.isEmpty && rewires.isEmpty
      && renames.isEmpty && upsertedInitializers.isEmpty && removedInitializers.isEmpty
      && valueTypes.isEmpty
  }

  public mutating func addNode(_ node: Node) { addedNodes.append(node) }
  public mutating func removeNode(at index: Int) { removedNodes.insert(index) }
  public mutating func replaceNode(at index: Int, with node: Node) { replacedNodes[index] = node }
  /// Every node input (and subgraph reference) reading `from` reads `to` instead.
  public mutating func rewire(_ from: String, to: String) { rewires.append((from, to)) }
  /// Renames a value everywhere, graph outputs included.
  public mutating func rename(_ from: String, to: String) { renames.append((from, to)) }
  /// Adds an initializer, or replaces the one with the same name.
  public mutating func setInitializer(_ tensor: TensorProto) { upsertedInitializers.append(tensor) }
  /// Removes an initializer (and its graph-input entry, for IR < 4 models).
  public mutating func removeInitializer(named name: String) { removedInitializers.insert(name) }
  /// Sets the declared type of a value in the graph outputs and `value_info` (nil removes the
  /// `value_info` entry and clears a graph output's type).
  public mutating func setValueType(_ name: String, _ type: TypeProto?) { valueTypes.append((name, type)) }

  /// Applies the edits to `graph` (no verification; `PassDriver` does that).
  public func apply(to graph: inout Graph) {
    func substitute(_ map: [String: String], in node: inout Node, outputs: Bool) {
      for i in node.inputs.indices { if let t = map[node.inputs[i]] { node.inputs[i] = t } }
      if outputs { for i in node.outputs.indices { if let t = map[node.outputs[i]] { node.outputs[i] = t } } }
      for a in node.attributes.indices {
        for g in node.attributes[a].graphStorage.indices {
          node.attributes[a].graphStorage[g].substituteOuterReferences(map)
        }
        for g in node.attributes[a].graphs.indices { node.attributes[a].graphs[g].substituteOuterReferences(map) }
      }
    }
    var rewireMap: [String: String] = [:]
    for (f, t) in rewires { rewireMap[f] = t }
    // Chains (a -> b, b -> c) resolve to the end.
    for k in Array(rewireMap.keys) {
      var v = rewireMap[k]!
      var hops = 0
      while let n = rewireMap[v], hops < rewireMap.count { v = n; hops += 1 }
      rewireMap[k] = v
    }
    var renameMap: [String: String] = [:]
    for (f, t) in renames { renameMap[f] = t }
    if !rewireMap.isEmpty || !renameMap.isEmpty {
      for i in graph.nodes.indices {
        if !rewireMap.isEmpty { substitute(rewireMap, in: &graph.nodes[i], outputs: false) }
        if !renameMap.isEmpty { substitute(renameMap, in: &graph.nodes[i], outputs: true) }
      }
      for i in graph.outputs.indices { if let t = renameMap[graph.outputs[i].name ?? ""] { graph.outputs[i].name = t } }
      for i in graph.valueInfo.indices {
        if let t = renameMap[graph.valueInfo[i].name ?? ""] { graph.valueInfo[i].name = t }
      }
      for i in graph.initializers.indices {
        if let t = renameMap[graph.initializers[i].name ?? ""] { graph.initializers[i].name = t }
      }
    }
    for (i, n) in replacedNodes where i < graph.nodes.count { graph.nodes[i] = n }
    if !removedNodes.isEmpty {
      graph.nodes = graph.nodes.enumerated().filter { !removedNodes.contains($0.offset) }.map(\.element)
    }
    graph.nodes += addedNodes
    if !removedInitializers.isEmpty {
      graph.initializers.removeAll { removedInitializers.contains($0.name ?? "") }
      graph.inputs.removeAll { removedInitializers.contains($0.name ?? "") }
    }
    for t in upsertedInitializers {
      if let i = graph.initializers.firstIndex(where: { $0.name == t.name }) {
        graph.initializers[i] = t
      } else {
        graph.initializers.append(t)
      }
    }
    for (name, type) in valueTypes {
      for i in graph.outputs.indices where graph.outputs[i].name == name { graph.outputs[i].type = type }
      if let i = graph.valueInfo.firstIndex(where: { $0.name == name }) {
        if let type { graph.valueInfo[i].type = type } else { graph.valueInfo.remove(at: i) }
      } else if let type, !graph.outputs.contains(where: { $0.name == name }) {
        graph.valueInfo.append(ValueInfo(name: name, type: type))
      }
    }
  }
}

extension Graph {
  /// Renames outer-scope references (not values this graph defines itself) in this subgraph.
  mutating func substituteOuterReferences(_ map: [String: String]) {
    var local = map
    for n in Set(initializers.compactMap(\.name) + inputs.compactMap(\.name) + nodes.flatMap(\.outputs)) {
      local[n] = nil
    }
    guard !local.isEmpty else { return }
    for i in nodes.indices {
      for j in nodes[i].inputs.indices { if let t = local[nodes[i].inputs[j]] { nodes[i].inputs[j] = t } }
      for a in nodes[i].attributes.indices {
        for g in nodes[i].attributes[a].graphStorage.indices {
          nodes[i].attributes[a].graphStorage[g].substituteOuterReferences(local)
        }
        for g in nodes[i].attributes[a].graphs.indices { nodes[i].attributes[a].graphs[g].substituteOuterReferences(local) }
      }
    }
  }
}
