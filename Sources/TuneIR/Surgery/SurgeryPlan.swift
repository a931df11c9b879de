/// Everything done to a model before training: find the head, optionally replace it, promote
/// `Constant`-node weights, and choose the trainable weights. The result is the rewritten model
/// (valid, verified) with the trainable set; nothing is trained yet.
///
/// Steps: `PromoteConstantsToInitializers` → `HeadDetector` (with `cutAt`/`pop`) →
/// `ReplaceClassifierHead` (when a spec is given, or `classes` differs from the model's) →
/// `DeadNodeElimination` → `TrainableSet` under the freeze policy.
///
/// ```swift
/// let plan = try SurgeryPlan(model: model, options: .init(spec: try HeadSpec(parsing: "dense:CLASSES"), classes: 5))
/// plan.trainable.trainable   // ["head.dense_0.weight", "head.dense_0.bias"]
/// ```
public struct SurgeryPlan: Sendable {
  public struct Options: Sendable {
    public var spec: HeadSpec?
    public var classes: Int?
    public var freeze: FreezePolicy
    public var cutAt: String?
    public var pop: Int?
    /// `.some(nil)`: no activation at the end; nil: as the old head.
    public var outputActivation: String??
    public var seed: UInt64
    public init(
      spec: HeadSpec? = nil, classes: Int? = nil, freeze: FreezePolicy = .headOnly, cutAt: String? = nil, pop: Int? = nil,
      outputActivation: String?? = nil, seed: UInt64 = 0
    ) {
      self.spec = spec
      self.classes = classes
      self.freeze = freeze
      self.cutAt = cutAt
      self.pop = pop
      self.outputActivation = outputActivation
      self.seed = seed
    }
  }

  /// The rewritten model.
  public var model: Model
  /// The head found in the original model (node indices refer to `original`, after promotion).
  public var oldHead: ClassifierHead
  /// The model after promotion, before the head swap (what `oldHead` indexes).
  public var original: Model
  /// The spec used, nil when the head was kept.
  public var spec: HeadSpec?
  public var classes: Int
  /// Node indices of the new head in `model` (empty when the head was kept).
  public var newHeadNodes: [Int]
  /// Constant nodes promoted to initializers.
  public var promoted: [String]
  public var trainable: TrainableSet
  public var reports: [PassReport]

  public init(model input: Model, options: Options = Options()) throws {
    var model = input
    var reports = try PassDriver.run([PromoteConstantsToInitializers()], on: &model)
    let before = Set(input.graph?.initializers.compactMap(\.name) ?? [])
    promoted = (model.graph?.initializers.compactMap(\.name) ?? []).filter { !before.contains($0) }
    original = model
    let head = try HeadDetector.detect(model, options: .init(cutAt: options.cutAt, pop: options.pop))
    oldHead = head
    var spec = options.spec
    if spec == nil, options.cutAt != nil || options.pop != nil || (options.classes != nil && options.classes != head.numberOfClasses) {
      spec = .standard
    }
    self.spec = spec
    if let spec {
      let pass = ReplaceClassifierHead(
        head: head, spec: spec, classes: options.classes, outputActivation: options.outputActivation, seed: options.seed)
      classes = try pass.resolvedClasses()
      reports += try PassDriver.run([pass, DeadNodeElimination()], on: &model)
      let g = model.graph!
      let producer = g.producerIndex
      // The new head: nodes after the feature tensor that the head output needs.
      let after = g.nodesDownstream(of: head.featureTensor)
      var needed = Set<Int>()
      var stack = [head.output]
      while let v = stack.popLast() {
        guard let p = producer[v], after.contains(p), needed.insert(p).inserted else { continue }
        stack += g.nodes[p].inputs.filter { !$0.isEmpty }
      }
      newHeadNodes = needed.sorted()
    } else {
      guard let n = options.classes ?? head.numberOfClasses else {
        throw SurgeryError("the number of classes is unknown; give it (--classes N)")
      }
      classes = n
      newHeadNodes = []
    }
    trainable = try TrainableSet(model: model, policy: options.freeze, featureTensor: head.featureTensor)
    self.model = model
    self.reports = reports
  }

  /// Node indices of `model` on a path from a trainable weight to `output` (what the backward
  /// pass must differentiate).
  public func gradientPath(to output: String? = nil) -> [Int] {
    let g = model.graph!
    let out = output ?? oldHead.output
    var depends = Set(trainable.trainable)
    var onPath: [Int] = []
    var fromWeights = [Bool](repeating: false, count: g.nodes.count)
    for (i, n) in g.nodes.enumerated() where n.inputs.contains(where: depends.contains) {
      fromWeights[i] = true
      for o in n.outputs where !o.isEmpty { depends.insert(o) }
    }
    var reaches = Set([out])
    var toOutput = [Bool](repeating: false, count: g.nodes.count)
    for i in g.nodes.indices.reversed() where g.nodes[i].outputs.contains(where: reaches.contains) {
      toOutput[i] = true
      for v in g.nodes[i].inputs where !v.isEmpty { reaches.insert(v) }
    }
    for i in g.nodes.indices where fromWeights[i] && toOutput[i] { onPath.append(i) }
    return onPath
  }
}
