/// Structural checks on a graph, run by the pass driver after every patch.
///
/// A graph is well formed when:
/// - every non-empty node input is produced by an earlier node, an initializer, a graph input or
///   (for a subgraph) an outer scope;
/// - no value has two producers (two nodes, or a node and an initializer or graph input);
/// - every graph output is produced.
///
/// Subgraphs (`If`, `Loop`, `Scan` bodies) are checked with the values visible at their node as
/// their outer scope.
public enum GraphVerifier {
  /// Throws a `GraphError` naming the first problem found.
  public static func verify(_ graph: Graph, outerScope: Set<String> = []) throws {
    var defined = outerScope
    var producedHere: [String: String] = [:]  // value -> what produces it, for messages
    for t in graph.initializers {
      guard let n = t.name, !n.isEmpty else { throw GraphError("an initializer has no name") }
      if let p = producedHere[n] { throw GraphError("value '\(n)' is produced twice (initializer and \(p))") }
      producedHere[n] = "an initializer"
      defined.insert(n)
    }
    for s in graph.sparseInitializers {
      if let n = s.values?.name, !n.isEmpty {
        producedHere[n] = "a sparse initializer"
        defined.insert(n)
      }
    }
    for v in graph.inputs {
      guard let n = v.name, !n.isEmpty else { throw GraphError("a graph input has no name") }
      // IR < 4 lists initializers as graph inputs too: that is one producer, not two.
      if let p = producedHere[n], p != "an initializer" {
        throw GraphError("value '\(n)' is produced twice (graph input and \(p))")
      }
      if producedHere[n] == nil { producedHere[n] = "a graph input" }
      defined.insert(n)
    }
    for node in graph.nodes {
      for input in node.inputs where !input.isEmpty {
        guard defined.contains(input) else {
          if graph.nodes.contains(where: { $0.outputs.contains(input) }) {
            throw GraphError(
              "node '\(node.displayName)' (\(node.opType ?? "?")) uses '\(input)' before the node producing it (graph is not in topological order)")
          }
          throw GraphError("node '\(node.displayName)' (\(node.opType ?? "?")) uses '\(input)', which nothing produces")
        }
      }
      for a in node.attributes {
        for g in a.graphStorage + a.graphs {
          do {
            try verify(g, outerScope: defined)
          } catch let e as GraphError {
            throw GraphError("in subgraph '\(a.name ?? "")' of node '\(node.displayName)' (\(node.opType ?? "?")): \(e.message)")
          }
        }
      }
      for output in node.outputs where !output.isEmpty {
        if let p = producedHere[output] {
          throw GraphError("value '\(output)' is produced twice (node '\(node.displayName)' (\(node.opType ?? "?")) and \(p))")
        }
        producedHere[output] = "node '\(node.displayName)' (\(node.opType ?? "?"))"
        defined.insert(output)
      }
    }
    for o in graph.outputs {
      guard let n = o.name, !n.isEmpty else { throw GraphError("a graph output has no name") }
      guard defined.contains(n) else { throw GraphError("graph output '\(n)' is not produced by anything") }
    }
  }
}

/// A structural problem in a graph (see `GraphVerifier`).
public struct GraphError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

extension Graph {
  /// Node index producing each value.
  public var producerIndex: [String: Int] {
    var map: [String: Int] = [:]
    for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { map[o] = i } }
    return map
  }

  /// Node indices consuming each value (a node using a value twice is listed once). Values
  /// referenced from inside a node's subgraphs count as used by that node.
  public var consumerIndices: [String: [Int]] {
    var map: [String: [Int]] = [:]
    for (i, n) in nodes.enumerated() {
      var seen = Set<String>()
      for v in n.inputs where !v.isEmpty && seen.insert(v).inserted { map[v, default: []].append(i) }
      for v in n.subgraphReferences where seen.insert(v).inserted { map[v, default: []].append(i) }
    }
    return map
  }

  /// Names of all values this graph's nodes read that it does not define itself (outer-scope
  /// references), including those of nested subgraphs.
  public var outerReferences: Set<String> {
    var defined = Set(initializers.compactMap(\.name) + inputs.compactMap(\.name))
    var refs = Set<String>()
    for n in nodes {
      for v in n.inputs where !v.isEmpty && !defined.contains(v) { refs.insert(v) }
      for v in n.subgraphReferences where !defined.contains(v) { refs.insert(v) }
      for o in n.outputs { defined.insert(o) }
    }
    return refs
  }

  /// Stable topological order: the file order where it is valid, otherwise each node as early as
  /// its inputs allow after the nodes before it. Throws on a cycle or an unproduced input that a
  /// node of this graph produces later in a cycle.
  public func topologicallySorted() throws -> Graph {
    let producer = producerIndex
    var indegree = [Int](repeating: 0, count: nodes.count)
    var dependents = [[Int]](repeating: [], count: nodes.count)
    for (i, n) in nodes.enumerated() {
      var deps = Set<Int>()
      for v in n.inputs + Array(n.subgraphReferences) where !v.isEmpty {
        if let p = producer[v], p != i { deps.insert(p) }
      }
      indegree[i] = deps.count
      for d in deps { dependents[d].append(i) }
    }
    // Min-heap over original index, done simply: the ready set is small in practice.
    var ready = Set<Int>((0..<nodes.count).filter { indegree[$0] == 0 })
    var order: [Int] = []
    order.reserveCapacity(nodes.count)
    while let next = ready.min() {
      ready.remove(next)
      order.append(next)
      for d in dependents[next] {
        indegree[d] -= 1
        if indegree[d] == 0 { ready.insert(d) }
      }
    }
    guard order.count == nodes.count else {
      let stuck = (0..<nodes.count).first { indegree[$0] > 0 }!
      throw GraphError("the graph has a cycle through node '\(nodes[stuck].displayName)' (\(nodes[stuck].opType ?? "?"))")
    }
    var g = self
    g.nodes = order.map { nodes[$0] }
    return g
  }
}

extension Node {
  /// Outer-scope values read by this node's subgraphs.
  public var subgraphReferences: Set<String> {
    var refs = Set<String>()
    for a in attributes { for g in a.graphStorage + a.graphs { refs.formUnion(g.outerReferences) } }
    return refs
  }

  /// True for a node in the default ONNX domain with the given op type.
  public func isStandard(_ opType: String) -> Bool {
    self.opType == opType && ((domain ?? "").isEmpty || domain == "ai.onnx")
  }

  /// `name (OpType)` for messages.
  public var label: String { "'\(displayName)' (\(opType ?? "?"))" }
}
