import TuneIR
import TuneONNX
import TuneTensor

/// A training checkpoint: the trainable weights, the optimizer's state, and where the run was.
///
/// Stored as an ONNX file (a graph with only initializers: `param/<name>`,
/// `opt/<slot>/<name>`) with the run's position in `metadata_props`, so it is written by the
/// same atomic writer (temporary file + rename: a killed run leaves the previous checkpoint
/// whole) and read back by the same hardened reader as models.
public struct Checkpoint: Sendable {
  public var parameters: [String: Tensor]
  public var optimizerStates: [String: OptimizerState]
  /// Epochs completed.
  public var epoch: Int
  /// Optimizer steps taken.
  public var step: Int
  public var learningRate: Double
  /// Best validation loss so far and the epoch it was seen (early stopping).
  public var bestMetric: Double
  public var bestEpoch: Int
  public var epochsWithoutImprovement: Int
  public var history: History
  public var plateau: ReduceOnPlateau?
  /// Running statistics and other non-trainable initializers the run updates.
  public var buffers: [String: Tensor]

  public init(
    parameters: [String: Tensor], optimizerStates: [String: OptimizerState], epoch: Int, step: Int,
    learningRate: Double, bestMetric: Double, bestEpoch: Int, epochsWithoutImprovement: Int, history: History,
    plateau: ReduceOnPlateau?, buffers: [String: Tensor]
  ) {
    self.parameters = parameters
    self.optimizerStates = optimizerStates
    self.epoch = epoch
    self.step = step
    self.learningRate = learningRate
    self.bestMetric = bestMetric
    self.bestEpoch = bestEpoch
    self.epochsWithoutImprovement = epochsWithoutImprovement
    self.history = history
    self.plateau = plateau
    self.buffers = buffers
  }

  public func write(toPath path: String) throws {
    var initializers: [TensorProto] = []
    var meta: [StringPair] = [
      StringPair(key: "onnx_tune.checkpoint", value: "1"), StringPair(key: "epoch", value: String(epoch)),
      StringPair(key: "step", value: String(step)), StringPair(key: "learning_rate", value: String(learningRate)),
      StringPair(key: "best_metric", value: String(bestMetric)), StringPair(key: "best_epoch", value: String(bestEpoch)),
      StringPair(key: "epochs_without_improvement", value: String(epochsWithoutImprovement)),
      StringPair(key: "history", value: history.json()), StringPair(key: "top_k", value: String(history.topK)),
    ]
    if let p = plateau {
      meta.append(StringPair(key: "plateau", value: "\(p.factor),\(p.patience),\(p.threshold),\(p.minimum),\(p.best),\(p.badEpochs)"))
    }
    for name in parameters.keys.sorted() { initializers.append(TensorProto(name: "param/" + name, data: parameters[name]!)) }
    for name in buffers.keys.sorted() { initializers.append(TensorProto(name: "buffer/" + name, data: buffers[name]!)) }
    for name in optimizerStates.keys.sorted() {
      let s = optimizerStates[name]!
      meta.append(StringPair(key: "opt_step/" + name, value: String(s.step)))
      for (k, slot) in s.slots.enumerated() { initializers.append(TensorProto(name: "opt/\(k)/" + name, data: slot)) }
    }
    let model = Model(
      irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], producerName: "onnx-tune checkpoint",
      graph: Graph(name: "checkpoint", initializers: initializers), metadataProps: meta)
    try ONNXWriter.write(model, toPath: path)
  }

  public static func read(atPath path: String) throws -> Checkpoint {
    let model = try ONNXReader.readModel(atPath: path)
    guard model.metadata("onnx_tune.checkpoint") == "1" else {
      throw ONNXError(path: path, "not an onnx-tune checkpoint")
    }
    func int(_ k: String) throws -> Int {
      guard let v = model.metadata(k).flatMap({ Int($0) }) else { throw ONNXError(path: path, "checkpoint lacks '\(k)'") }
      return v
    }
    func double(_ k: String) throws -> Double {
      guard let v = model.metadata(k).flatMap({ Double($0) }) else { throw ONNXError(path: path, "checkpoint lacks '\(k)'") }
      return v
    }
    var parameters: [String: Tensor] = [:]
    var buffers: [String: Tensor] = [:]
    var slots: [String: [Int: Tensor]] = [:]
    for t in model.graph?.initializers ?? [] {
      let name = t.name ?? ""
      if name.hasPrefix("param/") {
        parameters[String(name.dropFirst(6))] = t.data
      } else if name.hasPrefix("buffer/") {
        buffers[String(name.dropFirst(7))] = t.data
      } else if name.hasPrefix("opt/") {
        let rest = name.dropFirst(4)
        guard let slash = rest.firstIndex(of: "/"), let k = Int(rest[..<slash]) else { continue }
        slots[String(rest[rest.index(after: slash)...]), default: [:]][k] = t.data
      }
    }
    var states: [String: OptimizerState] = [:]
    for p in model.metadataProps {
      guard let key = p.key, key.hasPrefix("opt_step/"), let step = p.value.flatMap({ Int($0) }) else { continue }
      let name = String(key.dropFirst(9))
      let s = slots[name] ?? [:]
      states[name] = OptimizerState(step: step, slots: (0..<s.count).compactMap { s[$0] })
    }
    var plateau: ReduceOnPlateau?
    if let p = model.metadata("plateau") {
      let v = p.split(separator: ",").compactMap { Double($0) }
      if v.count == 6 { plateau = ReduceOnPlateau(restoring: v) }
    }
    let topK = try int("top_k")
    return Checkpoint(
      parameters: parameters, optimizerStates: states, epoch: try int("epoch"), step: try int("step"),
      learningRate: try double("learning_rate"), bestMetric: try double("best_metric"), bestEpoch: try int("best_epoch"),
      epochsWithoutImprovement: try int("epochs_without_improvement"),
      history: History.parse(model.metadata("history") ?? "", topK: topK), plateau: plateau, buffers: buffers)
  }
}

extension ReduceOnPlateau {
  init(restoring v: [Double]) {
    self.init(factor: v[0], patience: Int(v[1]), threshold: v[2], minimum: v[3])
    self.restore(best: v[4], badEpochs: Int(v[5]))
  }
}
