import TuneIR
import TuneRuntime
import TuneTensor

/// Why a model's features cannot be cached: something before the feature tensor changes from
/// one epoch to the next, or the head is not a function of the feature tensor alone.
public struct FeatureCacheRefusal: Error, CustomStringConvertible, Sendable {
  public var reason: String
  public init(_ reason: String) { self.reason = reason }
  public var description: String { reason }
}

/// A model cut in two at its feature tensor, for training the head on cached features.
///
/// The *backbone* runs the original nodes from the input to the feature tensor (its only
/// output); the *head* runs the nodes from the feature tensor (its only input) to the trained
/// output. Both keep the original node, value and initializer names, so the head's trained
/// weights go back into the full model by name (``merge(trainedHead:into:)``).
///
/// The cut is exact or refused: the head may read only the feature tensor and constants; every
/// trainable weight must be used by head nodes only; and nothing in the backbone may vary between
/// passes over the same sample — no BatchNormalization in training mode (trainable scale or
/// bias, or `training_mode = 1`), no Dropout told to drop by its `training_mode` input, no
/// random-number ops.
///
/// ```swift
/// let split = try BackboneSplit(model: model, input: "input", featureTensor: "features",
///                               output: "logits", trainable: ["fc.weight", "fc.bias"])
/// let session = try InferenceSession(model: split.backbone, optimize: true)
/// let features = try session.run(["input": x])["features"]!
/// ```
public struct BackboneSplit: Sendable {
  /// Input → feature tensor.
  public var backbone: Model
  /// Feature tensor → `output`.
  public var head: Model
  public var input: String
  public var featureTensor: String
  public var output: String

  static let randomOps: Set<String> = [
    "RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike", "Bernoulli", "Multinomial",
  ]

  /// Splits `model` at `featureTensor`, or throws ``FeatureCacheRefusal`` saying why it cannot.
  public init(model: Model, input: String, featureTensor: String, output: String, trainable: Set<String>) throws {
    guard let graph = model.graph else { throw FeatureCacheRefusal("the model has no graph") }
    let producer = graph.producerIndex
    guard let cut = producer[featureTensor] else {
      throw FeatureCacheRefusal("the feature tensor '\(featureTensor)' is not computed by the model: there is no backbone to cache")
    }
    let constants = Set(graph.initializers.compactMap(\.name))
    let runtimeInputs = Set(graph.runtimeInputs.compactMap(\.name))
    func reads(_ n: Node) -> [String] { n.inputs.filter { !$0.isEmpty } + n.subgraphReferences.sorted() }

    // Values that depend on a runtime input, and values computed from the feature tensor.
    var fromInput = runtimeInputs
    var fromFeature: Set<String> = [featureTensor]
    for n in graph.nodes {
      let r = reads(n)
      if r.contains(where: fromInput.contains) { for o in n.outputs where !o.isEmpty { fromInput.insert(o) } }
      if r.contains(where: fromFeature.contains) { for o in n.outputs where !o.isEmpty { fromFeature.insert(o) } }
    }

    // The head: what `output` needs, walking back and stopping at the feature tensor.
    var headNodes = Set<Int>()
    var stack = [output]
    var visited = Set<String>()
    while let v = stack.popLast() {
      guard v != featureTensor, !constants.contains(v), visited.insert(v).inserted else { continue }
      if fromInput.contains(v) && !fromFeature.contains(v) {
        throw FeatureCacheRefusal("the head also reads '\(v)', which does not come from the feature tensor '\(featureTensor)'")
      }
      guard let p = producer[v] else {
        throw FeatureCacheRefusal("the head reads '\(v)', which no node computes")
      }
      if headNodes.insert(p).inserted { stack += reads(graph.nodes[p]) }
    }

    // The backbone: everything the feature tensor depends on.
    let backboneNodes = graph.ancestors(ofNode: cut)
    let defaultOpset = model.opsetImports.first { ($0.domain ?? "").isEmpty || $0.domain == "ai.onnx" }?.version ?? 1
    for i in backboneNodes.sorted() {
      let n = graph.nodes[i]
      if n.isStandard("BatchNormalization") {
        if n.inputs.dropFirst().prefix(2).contains(where: trainable.contains) {
          throw FeatureCacheRefusal(
            "BatchNormalization \(n.label) before the feature tensor trains (batch statistics change every step)")
        }
        if defaultOpset >= 14, (n.attribute("training_mode")?.i ?? 0) != 0 {
          throw FeatureCacheRefusal("BatchNormalization \(n.label) before the feature tensor runs in training mode (training_mode=1)")
        }
      }
      if n.isStandard("Dropout"), n.inputs.count > 2, !n.inputs[2].isEmpty {
        let mode = graph.constantTensor(n.inputs[2])?.tensor
        if mode.map({ $0.count != 1 || $0.doubleValue(at: 0) != 0 }) ?? true {
          throw FeatureCacheRefusal("Dropout \(n.label) before the feature tensor may drop (its training_mode input)")
        }
      }
      if Self.randomOps.contains(n.opType ?? "") {
        throw FeatureCacheRefusal("\(n.label) before the feature tensor draws new random values on every pass")
      }
    }

    // Every trainable weight must be used by head nodes only.
    let consumers = graph.consumerIndices
    for name in trainable.sorted() {
      for c in consumers[name] ?? [] where !headNodes.contains(c) {
        let where_ = backboneNodes.contains(c) ? "before the feature tensor" : "outside the head"
        throw FeatureCacheRefusal(
          "trainable weight '\(name)' is used \(where_) (node \(graph.nodes[c].label)): the freeze policy trains more than the head")
      }
    }

    self.input = input
    self.featureTensor = featureTensor
    self.output = output
    let featureType = (graph.valueInfo + graph.outputs).first { $0.name == featureTensor }?.type
    let elementType = featureType?.tensorElementType ?? .float
    backbone = Self.subModel(
      model, nodes: backboneNodes, inputs: graph.inputs.filter { $0.name.map(runtimeInputs.contains) ?? false },
      outputs: [ValueInfo(name: featureTensor, type: featureType)])
    let outputInfo = graph.outputs.first { $0.name == output } ?? ValueInfo(name: output)
    head = Self.subModel(
      model, nodes: headNodes, inputs: [ValueInfo(name: featureTensor, type: .tensor(elementType, nil))],
      outputs: [outputInfo])
  }

  /// `model` reduced to `nodes` (in graph order), the initializers they read, and the given
  /// runtime inputs and outputs.
  static func subModel(_ model: Model, nodes: Set<Int>, inputs: [ValueInfo], outputs: [ValueInfo]) -> Model {
    var m = model
    guard var g = model.graph else { return m }
    g.nodes = nodes.sorted().map { g.nodes[$0] }
    var used = Set<String>()
    for n in g.nodes {
      for v in n.inputs where !v.isEmpty { used.insert(v) }
      used.formUnion(n.subgraphReferences)
    }
    g.initializers = g.initializers.filter { $0.name.map(used.contains) ?? false }
    let kept = Set(g.initializers.compactMap(\.name))
    // Initializers listed as inputs too (IR < 4 models) stay listed.
    g.inputs = inputs + g.inputs.filter { $0.name.map(kept.contains) ?? false }
    g.outputs = outputs
    m.graph = g
    return m
  }

  /// `full` with every initializer the head holds replaced by the head's value (same names).
  public func merge(trainedHead: Model, into full: Model) -> Model {
    var values: [String: TensorProto] = [:]
    for t in trainedHead.graph?.initializers ?? [] { if let n = t.name { values[n] = t } }
    var m = full
    m.graph?.transformTensors { t in
      if let n = t.name, let v = values[n], v.dims == t.dims, v.data.dtype == t.data.dtype { t.data = v.data }
    }
    return m
  }
}

extension BackboneSplit {
  /// Runs the backbone (inference mode) over every example of `source`, `batchSize` at a time in
  /// index order, and keeps the feature tensor of each in a ``FeatureStore``: the source the
  /// head trains on in place of `source`. `source` must give every example it is asked for.
  /// The backbone runs with the inference rewrites (`InferenceSession(optimize: true)`), as
  /// `Trainer` runs a frozen prefix, so cached and uncached training see the same features.
  public func cacheFeatures(of source: BatchSource, batchSize: Int, storage: FeatureStore.Storage) throws -> FeatureStore {
    let session = try InferenceSession(model: backbone, optimize: true)
    var store: FeatureStore?
    for start in stride(from: 0, to: source.count, by: batchSize) {
      let rows = Array(start..<min(start + batchSize, source.count))
      let (x, y) = try source.batch(rows)
      guard y.count == rows.count else { throw TrainingError("feature cache: the source gave \(y.count) of \(rows.count) examples") }
      guard let f = try session.run([input: x])[featureTensor], f.dtype == .float, f.shape.first == rows.count else {
        throw FeatureCacheRefusal("the feature tensor '\(featureTensor)' is not float with one row per example")
      }
      if store == nil {
        store = try FeatureStore(
          count: source.count, rowShape: Array(f.shape.dropFirst()), labels: [Int](repeating: 0, count: source.count),
          storage: storage)
      }
      try store!.write(f, rows: rows, labels: y)
    }
    guard let store else { throw TrainingError("feature cache: the source is empty") }
    return store
  }
}
