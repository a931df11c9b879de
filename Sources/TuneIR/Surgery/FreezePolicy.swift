import TuneTensor

/// Which weights train. Parameters are floating-point constants in *weight slots*: Conv and
/// ConvTranspose weight and bias; Gemm and MatMul constant operands; the constant operand of an
/// Add, Sub or Mul with more than one element (biases and per-channel scales; scalars are
/// hyperparameters); BatchNormalization, LayerNormalization, InstanceNormalization and
/// GroupNormalization scale and bias; PRelu slopes; a float Gather table (embeddings).
/// BatchNormalization mean and variance are never trainable. Weights reached through `Identity`
/// nodes (PyTorch shares equal tensors that way) count as the initializer behind them; a weight
/// shared by a frozen and a trainable node stays frozen.
///
/// Policies (the `--freeze` syntax in brackets):
/// - `headOnly` [`head`] (default): only the parameters of nodes after the feature tensor train;
/// - `patterns` [`pattern:GLOB[;GLOB...]`]: parameters whose names match a glob (`*`, `?`) are
///   frozen, all others train;
/// - `upTo` [`upto:NAME`]: the node NAME (or the node producing tensor NAME) and everything it
///   depends on are frozen, the rest trains;
/// - `unfreezeLast` [`last:K`]: the last K weight layers (Conv, ConvTranspose, Gemm, MatMul, in
///   graph order) and every node after the first of them train;
/// - `nothing` [`none`]: every parameter trains.
///
/// A BatchNormalization whose scale and bias are frozen is frozen as a whole and runs in
/// inference mode (its running statistics are used and never updated, as in Keras); a trainable
/// one uses batch statistics in training and updates its running statistics with its momentum.
public enum FreezePolicy: Equatable, Sendable, CustomStringConvertible {
  case headOnly
  case patterns([String])
  case upTo(String)
  case unfreezeLast(Int)
  case nothing

  public init(parsing text: String) throws {
    let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
    switch parts.first?.lowercased() ?? "" {
    case "head" where parts.count == 1: self = .headOnly
    case "none" where parts.count == 1: self = .nothing
    case "pattern" where parts.count == 2:
      let globs = parts[1].split(separator: ";").map(String.init).filter { !$0.isEmpty }
      guard !globs.isEmpty else { throw SurgeryError("freeze policy '\(text)': give at least one name pattern") }
      self = .patterns(globs)
    case "upto" where parts.count == 2 && !parts[1].isEmpty: self = .upTo(parts[1])
    case "last" where parts.count == 2:
      guard let k = Int(parts[1]), k >= 0 else {
        throw SurgeryError("freeze policy '\(text)': last:K expects a whole number K >= 0")
      }
      self = .unfreezeLast(k)
    default:
      throw SurgeryError(
        "freeze policy '\(text)' not understood (expected head, none, pattern:GLOB[;GLOB], upto:NODE_OR_TENSOR or last:K)")
    }
  }

  public var description: String {
    switch self {
    case .headOnly: return "head"
    case .nothing: return "none"
    case .patterns(let g): return "pattern:" + g.joined(separator: ";")
    case .upTo(let n): return "upto:\(n)"
    case .unfreezeLast(let k): return "last:\(k)"
    }
  }
}

/// The trainable and frozen parameters of a graph under a `FreezePolicy`.
public struct TrainableSet: Sendable {
  public struct BatchNormState: Sendable, Equatable {
    public var node: String
    public var nodeIndex: Int
    /// False: inference mode (running statistics, never updated).
    public var trainable: Bool
    public var mean: String
    public var variance: String
  }

  /// Trainable initializer names, in graph order of first use.
  public var trainable: [String]
  /// Every other floating-point constant (initializers and Constant-node tensors), including
  /// BatchNorm statistics.
  public var frozen: [String]
  /// Parameters the policy would train that live in `Constant` nodes: run
  /// `PromoteConstantsToInitializers` first.
  public var needsPromotion: [String]
  public var batchNorms: [BatchNormState]
  public var trainableParameterCount: Int
  public var frozenParameterCount: Int

  /// Computes the set for `model`. `featureTensor` is the value feeding the head (for
  /// `headOnly`); when nil the head is detected.
  public init(model: Model, policy: FreezePolicy, featureTensor: String? = nil) throws {
    let graph = model.graph ?? Graph()
    let slots = ParameterSlots(graph)
    // Candidate -> node indices consuming it at a weight slot.
    let candidates = slots.candidates
    var trainableNames = Set<String>()
    switch policy {
    case .nothing:
      trainableNames = Set(candidates.keys)
    case .patterns(let globs):
      trainableNames = Set(candidates.keys.filter { name in !globs.contains { Glob.matches($0, name) } })
    case .headOnly:
      let feature = try featureTensor ?? HeadDetector.detect(model).featureTensor
      let after = graph.nodesDownstream(of: feature)
      trainableNames = Set(candidates.filter { $0.value.allSatisfy(after.contains) }.keys)
    case .upTo(let name):
      let target: Int
      if let i = graph.nodes.firstIndex(where: { $0.name == name }) {
        target = i
      } else if let p = graph.producerIndex[name] {
        target = p
      } else if graph.inputs.contains(where: { $0.name == name }) || graph.initializer(named: name) != nil {
        target = -1  // nothing before a graph input
      } else {
        throw SurgeryError("freeze policy 'upto:\(name)': no node or tensor named '\(name)'")
      }
      let frozenNodes = target < 0 ? [] : graph.ancestors(ofNode: target)
      trainableNames = Set(candidates.filter { !$0.value.contains(where: frozenNodes.contains) }.keys)
    case .unfreezeLast(let k):
      let layers = graph.nodes.indices.filter { i in
        ["Conv", "ConvTranspose", "Gemm", "MatMul"].contains(graph.nodes[i].opType ?? "")
          && slots.slotInputs(i).contains { candidates[$0] != nil }
      }
      if k > 0 {
        let first = k >= layers.count ? 0 : layers[layers.count - k]
        trainableNames = Set(candidates.filter { $0.value.allSatisfy { $0 >= first } }.keys)
      }
    }
    // BatchNorm statistics are never trainable.
    var states: [BatchNormState] = []
    for (i, n) in graph.nodes.enumerated() where n.isStandard("BatchNormalization") && n.inputs.count >= 5 {
      trainableNames.remove(n.inputs[3])
      trainableNames.remove(n.inputs[4])
      let t = trainableNames.contains(n.inputs[1]) || trainableNames.contains(n.inputs[2])
      states.append(BatchNormState(node: n.displayName, nodeIndex: i, trainable: t, mean: n.inputs[3], variance: n.inputs[4]))
    }
    var trainable: [String] = []
    var frozen: [String] = []
    var promote: [String] = []
    var trainableCount = 0
    var frozenCount = 0
    var seen = Set<String>()
    func visit(_ name: String, _ t: Tensor, isInitializer: Bool) {
      guard t.dtype.isFloatingPoint, seen.insert(name).inserted else { return }
      if trainableNames.contains(name) {
        if isInitializer {
          trainable.append(name)
          trainableCount += t.count
        } else {
          promote.append(name)
          frozen.append(name)
          frozenCount += t.count
        }
      } else {
        frozen.append(name)
        frozenCount += t.count
      }
    }
    let initializerNames = Set(graph.initializers.compactMap(\.name))
    for n in graph.nodes {
      for v in n.inputs where !v.isEmpty && !seen.contains(v) {
        if let (t, source) = graph.constantTensor(v) { visit(v, t, isInitializer: source == .initializer) }
      }
    }
    for t in graph.initializers { if let n = t.name { visit(n, t.data, isInitializer: true) } }
    for n in graph.nodes where n.isStandard("Constant") {
      if let o = n.outputs.first, let t = n.attribute("value")?.t { visit(o, t.data, isInitializer: initializerNames.contains(o)) }
    }
    self.trainable = trainable
    self.frozen = frozen
    self.needsPromotion = promote
    self.batchNorms = states
    self.trainableParameterCount = trainableCount
    self.frozenParameterCount = frozenCount
  }
}

/// Which constant inputs of which nodes hold parameters (see `FreezePolicy`).
struct ParameterSlots {
  let graph: Graph
  /// Float constants in a weight slot → the node indices using them there.
  var candidates: [String: [Int]] = [:]

  init(_ graph: Graph) {
    self.graph = graph
    var table: [String: Tensor] = [:]
    for t in graph.initializers { if let n = t.name { table[n] = t.data } }
    var identitySource: [String: String] = [:]
    for n in graph.nodes {
      if n.isStandard("Constant"), let o = n.outputs.first, table[o] == nil, let t = n.attribute("value")?.t { table[o] = t.data }
      // PyTorch shares equal weights through Identity nodes (`onnx::Conv_248 = Identity(...)`).
      if n.isStandard("Identity"), let o = n.outputs.first, let i = n.inputs.first { identitySource[o] = i }
    }
    for i in graph.nodes.indices {
      for slot in slotInputs(i) {
        var v = slot
        var hops = 0
        while table[v] == nil, let s = identitySource[v], hops < 16 {
          v = s
          hops += 1
        }
        guard let t = table[v], t.dtype.isFloatingPoint else { continue }
        candidates[v, default: []].append(i)
      }
    }
  }

  /// Input names of node `i` that sit in a weight slot (constant or not).
  func slotInputs(_ i: Int) -> [String] {
    let n = graph.nodes[i]
    guard (n.domain ?? "").isEmpty || n.domain == "ai.onnx" else { return [] }
    func at(_ k: [Int]) -> [String] { k.compactMap { $0 < n.inputs.count && !n.inputs[$0].isEmpty ? n.inputs[$0] : nil } }
    switch n.opType ?? "" {
    case "Conv", "ConvTranspose", "BatchNormalization", "LayerNormalization", "InstanceNormalization",
      "GroupNormalization":
      return at([1, 2])
    case "Gemm": return at([0, 1, 2])
    case "MatMul": return at([0, 1])
    case "PRelu": return at([1])
    case "Gather": return at([0])
    case "Add", "Sub", "Mul":
      return at([0, 1]).filter { graph.constantTensor($0).map { $0.tensor.count > 1 } ?? false }
    default: return []
    }
  }
}

/// `*` and `?` wildcards over whole names (`/` is an ordinary character).
enum Glob {
  static func matches(_ pattern: String, _ name: String) -> Bool {
    let p = Array(pattern.unicodeScalars)
    let s = Array(name.unicodeScalars)
    var pi = 0, si = 0, star = -1, mark = 0
    while si < s.count {
      if pi < p.count && (p[pi] == "?" || p[pi] == s[si]) {
        pi += 1
        si += 1
      } else if pi < p.count && p[pi] == "*" {
        star = pi
        mark = si
        pi += 1
      } else if star >= 0 {
        pi = star + 1
        mark += 1
        si = mark
      } else {
        return false
      }
    }
    while pi < p.count && p[pi] == "*" { pi += 1 }
    return pi == p.count
  }
}

extension Graph {
  /// Indices of nodes that (transitively) read `value`.
  public func nodesDownstream(of value: String) -> Set<Int> {
    var reached = Set([value])
    var out = Set<Int>()
    for (i, n) in nodes.enumerated() where n.inputs.contains(where: reached.contains) || !n.subgraphReferences.isDisjoint(with: reached) {
      out.insert(i)
      for o in n.outputs where !o.isEmpty { reached.insert(o) }
    }
    return out
  }

  /// `names` and every value computed from one of them, transitively through the nodes (a
  /// node reading one from inside a subgraph counts as reading it). Empty when `names` is.
  public func values(dependingOn names: Set<String>) -> Set<String> {
    guard !names.isEmpty else { return [] }
    let consumers = consumerIndices
    var reached = names
    var stack = Array(names)
    while let v = stack.popLast() {
      for i in consumers[v] ?? [] {
        for o in nodes[i].outputs where !o.isEmpty && reached.insert(o).inserted { stack.append(o) }
      }
    }
    return reached
  }

  /// Node `index` and every node it (transitively) depends on.
  public func ancestors(ofNode index: Int) -> Set<Int> {
    let producer = producerIndex
    var out = Set<Int>()
    var stack = [index]
    while let i = stack.popLast() {
      guard out.insert(i).inserted else { continue }
      for v in nodes[i].inputs + Array(nodes[i].subgraphReferences) where !v.isEmpty {
        if let p = producer[v] { stack.append(p) }
      }
    }
    return out
  }
}
