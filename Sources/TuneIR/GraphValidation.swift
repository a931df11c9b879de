/// The structural checks the reader applies to every graph it loads (issue 9: malicious
/// models), so that no command — `inspect`, `plan`, `run`, `finetune` — ever walks a graph that
/// has a cycle or a value with two producers:
///
/// - no value has two producers: two nodes writing one tensor, or a node output shadowing an
///   initializer or a graph input of the same graph (a graph input that is also an initializer,
///   as IR < 4 requires, is one value);
/// - the nodes have no cycle (counting the outer-scope values a node's subgraphs read as inputs
///   of that node). File order need not be topological: a plan sorts it.
///
/// Unproduced inputs are left to `ExecutionPlan` and `GraphVerifier` (a subgraph may read values
/// of an enclosing scope). Every check is iterative and linear in the graph's size (nodes plus
/// edges), so that a graph of millions of nodes is checked in bounded time and stack; subgraphs
/// recurse once per level, which the reader bounds (`ONNXReader.maximumNestingDepth`).
public enum GraphValidation {
  /// Throws a `GraphError` naming the nodes concerned.
  public static func validate(_ graph: Graph) throws {
    try checkProducers(graph)
    try checkAcyclic(graph)
    for node in graph.nodes {
      for a in node.attributes {
        for g in a.graphStorage + a.graphs {
          do {
            try validate(g)
          } catch let e as GraphError {
            throw GraphError("in subgraph '\(a.name ?? "")' of node \(node.label): \(e.message)")
          }
        }
      }
    }
  }

  static func checkProducers(_ graph: Graph) throws {
    var producer: [String: String] = [:]
    producer.reserveCapacity(graph.initializers.count + graph.inputs.count + graph.nodes.count)
    for t in graph.initializers {
      guard let n = t.name, !n.isEmpty else { continue }
      if producer[n] != nil { throw GraphError("initializer '\(n)' is defined twice") }
      producer[n] = "an initializer"
    }
    var inputs = Set<String>()
    for v in graph.inputs {
      guard let n = v.name, !n.isEmpty else { continue }
      guard inputs.insert(n).inserted else { throw GraphError("graph input '\(n)' is listed twice") }
      if producer[n] == nil { producer[n] = "a graph input" }
    }
    for node in graph.nodes {
      for o in node.outputs where !o.isEmpty {
        if let p = producer[o] {
          throw GraphError("node \(node.label) writes '\(o)', which \(p) already defines (each value must have one producer)")
        }
        producer[o] = "node \(node.label)"
      }
    }
  }

  static func checkAcyclic(_ graph: Graph) throws {
    let nodes = graph.nodes
    var producer: [String: Int] = [:]
    producer.reserveCapacity(nodes.count)
    for (i, n) in nodes.enumerated() { for o in n.outputs where !o.isEmpty { producer[o] = i } }
    // Dependencies (deduplicated per node) in one flat array: node i's are deps[start[i]..<start[i+1]].
    var start = [Int](repeating: 0, count: nodes.count + 1)
    var deps: [Int] = []
    deps.reserveCapacity(nodes.count)
    var fileOrderValid = true
    var lastUser = [Int](repeating: -1, count: nodes.count)  // dedup: lastUser[p] == i once recorded
    for (i, n) in nodes.enumerated() {
      start[i] = deps.count
      let hasSubgraphs = n.attributes.contains { !$0.graphStorage.isEmpty || !$0.graphs.isEmpty }
      let reads = hasSubgraphs ? n.inputs + n.subgraphReferences.sorted() : n.inputs
      for v in reads where !v.isEmpty {
        guard let p = producer[v], lastUser[p] != i else { continue }
        lastUser[p] = i
        deps.append(p)
        if p >= i { fileOrderValid = false }
      }
    }
    start[nodes.count] = deps.count
    if fileOrderValid { return }  // every edge goes forward: no cycle

    // Kahn's algorithm with a FIFO queue.
    var pending = [Int](repeating: 0, count: nodes.count)
    var userCount = [Int](repeating: 0, count: nodes.count + 1)
    for i in nodes.indices {
      pending[i] = start[i + 1] - start[i]
      for d in deps[start[i]..<start[i + 1]] { userCount[d + 1] += 1 }
    }
    for i in nodes.indices { userCount[i + 1] += userCount[i] }
    var users = [Int](repeating: 0, count: deps.count)
    var fill = userCount
    for i in nodes.indices {
      for d in deps[start[i]..<start[i + 1]] {
        users[fill[d]] = i
        fill[d] += 1
      }
    }
    var queue = nodes.indices.filter { pending[$0] == 0 }
    var head = 0
    while head < queue.count {
      let i = queue[head]
      head += 1
      for u in users[userCount[i]..<userCount[i + 1]] {
        pending[u] -= 1
        if pending[u] == 0 { queue.append(u) }
      }
    }
    if queue.count == nodes.count { return }

    // A node left over depends on another left-over node; following such dependencies must
    // come back to a node already seen: that loop is the cycle to report.
    var at = nodes.indices.first { pending[$0] > 0 }!
    var seenAt: [Int: Int] = [:]
    var path: [Int] = []
    while seenAt[at] == nil {
      seenAt[at] = path.count
      path.append(at)
      at = deps[start[at]..<start[at + 1]].first { pending[$0] > 0 }!
    }
    let cycle = path[seenAt[at]!...].reversed()
    let names = cycle.prefix(8).map { nodes[$0].label }
    let more = cycle.count > 8 ? " and \(cycle.count - 8) more" : ""
    throw GraphError(
      "the graph has a cycle: \(names.joined(separator: " → "))\(more) (\(cycle.count == 1 ? "the node reads its own output" : "\(cycle.count) nodes feed each other"))")
  }
}
