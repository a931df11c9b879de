import Foundation
import TuneIR
import TuneRuntime
import TuneTensor

/// How `Trainer.fit` trains: the Keras `fit` conveniences.
public struct FitConfiguration: Sendable {
  public var epochs = 10
  public var batchSize = 32
  public var learningRate = 1e-3
  /// `.step` counts epochs; `.cosine` counts optimizer steps (warm-up and total in steps).
  public var schedule: LearningRateSchedule = .constant
  public var optimizer: any Optimizer = AdamW()
  public var loss: any Loss = SoftmaxCrossEntropy()
  public var seed: UInt64 = 0
  public var shuffle = true
  /// Clip gradients to this global L2 norm.
  public var clipNorm: Float?
  /// Stop after this many epochs without a better validation loss (training loss when there
  /// is no validation set).
  public var earlyStoppingPatience: Int?
  /// At the end, go back to the weights of the best epoch.
  public var restoreBestWeights = true
  public var plateau: ReduceOnPlateau?
  /// Where `best.ckpt` and `last.ckpt` are written after each epoch (atomically).
  public var checkpointDirectory: String?
  public var topK = 5

  public init() {}
}

/// Progress reported while training.
public enum TrainingEvent: Sendable {
  case batch(epoch: Int, batch: Int, batches: Int, loss: Double, accuracy: Double, examplesPerSecond: Double)
  case epoch(EpochRecord)
  case stoppedEarly(epoch: Int, bestEpoch: Int)
}

/// A training run that cannot go on; the message says why and what was kept.
public struct TrainingError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Trains a model's trainable initializers on labelled batches.
///
/// ```swift
/// let trainer = try Trainer(model: model, trainable: ["fc.weight", "fc.bias"])
/// var config = FitConfiguration()
/// config.epochs = 5
/// let history = try trainer.fit(train: data, validation: validation, configuration: config)
/// try ONNXWriter.write(trainer.trainedModel(), toPath: "tuned.onnx")
/// ```
///
/// The part of the graph no trainable weight influences (the frozen backbone) runs with the
/// rewrites of `InferenceSession(optimize: true)`: BatchNormalization folded into the Conv or
/// Gemm before it, Conv fused with the Add and activation after it. So the frozen prefix computes
/// exactly what an optimized inference session over it gives (the feature cache), and faster.
/// Everything that depends on a trainable weight, a BatchNorm that trains included, stays as
/// written. `trainedModel()` and checkpoints hold the original graph.
///
/// The trainable weights are held once, in `parameters`: the trainer's graphs and its plan keep
/// their names, dims and types but not their elements (see `detaching`), so the optimizer
/// updates each weight in place, and the weights the model came with are freed as soon as the
/// caller lets go of its `Model` (full training holds one copy of the weights, not two). A
/// caller that keeps its `Model` keeps its values: the first update copies what it still shares.
public final class Trainer {
  /// The model as given, with the current values of the trainable weights (the given ones
  /// until `fit` updates them): `trainedModel()`.
  public var model: Model { trainedModel() }
  /// The model `program` runs, with the current values of the trainable weights: `model` with
  /// the frozen prefix rewritten (sharing every tensor it did not rewrite with `model`), or
  /// `model` itself when that is off or does not apply.
  public var executionModel: Model { withTrainedWeights(executionTemplate) }
  /// `model` and `executionModel` with the trainable weights' elements detached.
  let template: Model
  let executionTemplate: Model
  /// Runs `executionTemplate`: its plan holds no trainable weight, `forward` is given them.
  public let program: GradientProgram
  public let input: String
  /// Current values of the trainable weights: the trainer's only reference to them.
  public private(set) var parameters: [String: Tensor]
  /// Running statistics updated by training (BatchNormalization mean and variance), by name.
  public private(set) var buffers: [String: Tensor] = [:]
  var states: [String: OptimizerState] = [:]

  /// - Parameters:
  ///   - input: the graph input fed with features (default: the only non-initializer input).
  ///   - output: the output the loss reads (default: the first graph output).
  ///   - optimizeFrozen: run the frozen prefix with the inference rewrites (see above); when
  ///     they do not apply (a pass or the plan fails), the model runs as written.
  public init(
    model: Model, trainable: Set<String>, input: String? = nil, output: String? = nil,
    operators: OperatorResolver = .standard, optimizeFrozen: Bool = true
  ) throws {
    template = Self.detaching(trainable, from: model)
    let plan: ExecutionPlan
    if optimizeFrozen, let (m, p) = Self.optimizedFrozenPrefix(model, trainable: trainable, operators: operators) {
      (executionTemplate, plan) = (m, p)
    } else {
      executionTemplate = template
      do {
        plan = try ExecutionPlan(model: template, operators: operators)
      } catch {
        // The message describes the weights as given (detached ones have no elements).
        _ = try ExecutionPlan(model: model, operators: operators)
        throw error
      }
    }
    guard let out = output ?? plan.outputs.first?.name else { throw TrainingError("the model has no outputs") }
    program = try GradientProgram(plan: plan, trainable: trainable, output: out)
    if let input {
      guard plan.inputs.contains(where: { $0.name == input }) else {
        throw TrainingError("'\(input)' is not an input of the model (inputs: \(plan.inputs.map(\.name).joined(separator: ", ")))")
      }
      self.input = input
    } else {
      guard plan.inputs.count == 1 else {
        throw TrainingError("the model has \(plan.inputs.count) inputs; name the one that takes the features")
      }
      self.input = plan.inputs[0].name
    }
    var p: [String: Tensor] = [:]
    for t in model.graph?.initializers ?? [] where trainable.contains(t.name ?? "") {
      guard t.data.dtype == .float else { throw TrainingError("trainable weight '\(t.name!)' is \(t.data.dtype), not float") }
      p[t.name!] = t.data
    }
    parameters = p
  }

  /// `model` with the inference rewrites (`InferenceSession`'s, in its order) applied to what
  /// does not depend on `trainable` and the trainable weights detached, and its plan; nil when
  /// nothing changed or the rewrite does not apply (a pass or the plan fails, or a trainable
  /// weight is gone).
  static func optimizedFrozenPrefix(_ model: Model, trainable: Set<String>, operators: OperatorResolver)
    -> (Model, ExecutionPlan)?
  {
    guard model.graph != nil else { return nil }
    var m = model
    ConvActivationFusion.prepare(&m)
    PointwiseDepthwiseFusion.prepare(&m)
    guard
      let reports = try? PassDriver.run(
        [
          BatchNormFolding(keeping: trainable), DeadNodeElimination(), ConvActivationFusion(keeping: trainable),
          PointwiseDepthwiseFusion(keeping: trainable), DeadNodeElimination(),
        ], on: &m),
      reports.contains(where: { $0.nodesRemoved + $0.nodesAdded + $0.initializersChanged > 0 })
    else { return nil }
    // Dead-node elimination drops a trainable weight nothing reads, which still trains (weight
    // decay): then the model runs as written.
    let kept = Set(m.graph!.initializers.compactMap(\.name))
    guard trainable.isSubset(of: kept) else { return nil }
    m = detaching(trainable, from: m)
    guard let plan = try? ExecutionPlan(model: m, operators: operators) else { return nil }
    return (m, plan)
  }

  /// `m` with the elements of its main graph's initializers named in `names` detached: each
  /// keeps its name, dims, type and encoding, but holds an empty tensor. The trainer keeps its
  /// graphs and plan so, with `parameters` the only holder of the trainable weights; every use
  /// of a graph puts the current weights back first (`withTrainedWeights`, `forward`'s
  /// parameters).
  static func detaching(_ names: Set<String>, from m: Model) -> Model {
    var m = m
    guard let initializers = m.graph?.initializers else { return m }
    for (i, t) in initializers.enumerated() where names.contains(t.name ?? "") && t.data.dtype != .string {
      m.graph!.initializers[i].data = Tensor(zeros: t.data.dtype, shape: [0])
    }
    return m
  }

  /// The model with the trained weights in place of the original initializers (same graph,
  /// names and encodings).
  public func trainedModel() -> Model { withTrainedWeights(template) }

  /// `m` with the trained weights and running statistics in place of its initializers of the
  /// same name.
  func withTrainedWeights(_ m: Model) -> Model {
    var m = m
    m.graph?.transformTensors { t in
      if let name = t.name, let v = parameters[name] ?? buffers[name], t.dims == v.shape.map({ Int64($0) }),
        v.dtype == t.data.dtype
      {
        t.data = v
      }
    }
    return m
  }

  /// Loss, accuracy and top-k accuracy over `data`, in inference mode.
  public func evaluate(_ data: BatchSource, batchSize: Int, loss: any Loss, topK: Int) throws -> (
    loss: Double, accuracy: Double, topK: Double
  ) {
    let plan = try ExecutionPlan(model: executionModel, operators: program.plan.operators)
    let outputIndex = plan.outputs.firstIndex { $0.name == program.output }!
    var total = 0.0
    var correct = 0
    var correctK = 0
    data.willRead(order: Array(0..<data.count), batchSize: batchSize, epoch: nil)
    var evaluated = 0
    for start in stride(from: 0, to: data.count, by: batchSize) {
      let indices = Array(start..<min(start + batchSize, data.count))
      let (x, y) = try data.batch(indices)
      let out = try Executor.run(plan, inputs: [input: x])[outputIndex]
      total += Double(try loss.evaluate(output: out, targets: .classes(y)).loss) * Double(y.count)
      evaluated += y.count
      let (c, ck) = Self.countCorrect(out, y, topK: topK)
      correct += c
      correctK += ck
    }
    let n = Double(max(evaluated, 1))
    return (total / n, Double(correct) / n, Double(correctK) / n)
  }

  /// Examples whose label is the arg-max, and among the top k.
  static func countCorrect(_ logits: Tensor, _ labels: [Int], topK: Int) -> (Int, Int) {
    let c = logits.count / max(labels.count, 1)
    let v = logits.floatValues()
    var top1 = 0
    var topk = 0
    for (i, y) in labels.enumerated() {
      let row = v[(i * c)..<((i + 1) * c)]
      let target = row[row.startIndex + y]
      let better = row.filter { $0 > target }.count
      if better == 0 { top1 += 1 }
      if better < topK { topk += 1 }
    }
    return (top1, topk)
  }

  /// Trains for `configuration.epochs` epochs (or until early stopping), reporting progress.
  /// With `resume`, continues a run from its checkpoint: the result equals an uninterrupted run.
  @discardableResult
  public func fit(
    train: BatchSource, validation: BatchSource? = nil, configuration config: FitConfiguration,
    resume: Checkpoint? = nil, progress: (TrainingEvent) -> Void = { _ in }
  ) throws -> History {
    guard train.count > 0 else { throw TrainingError("the training set is empty") }
    guard config.batchSize > 0 else { throw TrainingError("batch size must be positive") }
    var history = History(topK: config.topK)
    var startEpoch = 0
    var step = 0
    var learningRate = config.learningRate
    var bestMetric = Double.infinity
    var bestEpoch = -1
    // The best epoch's weights, kept only when they are restored at the end: a snapshot shares
    // the parameters' buffers, so the next update copies every weight (copy on write: the
    // snapshot keeps its values, and with full training is a second copy of the weights).
    let keepsBest = config.restoreBestWeights && config.earlyStoppingPatience != nil
    var bestParameters: [String: Tensor] = [:]
    var bestBuffers: [String: Tensor] = [:]
    var stale = 0
    var plateau = config.plateau
    if let c = resume {
      for (name, value) in c.parameters {
        guard let old = parameters[name], old.shape == value.shape else {
          throw TrainingError("checkpoint weight '\(name)' does not match the model's trainable weights")
        }
        parameters[name] = value
      }
      states = c.optimizerStates
      buffers = c.buffers
      startEpoch = c.epoch
      step = c.step
      learningRate = c.learningRate
      bestMetric = c.bestMetric
      bestEpoch = c.bestEpoch
      stale = c.epochsWithoutImprovement
      history = c.history
      plateau = c.plateau ?? plateau
      // A run that had already stopped early (killed while exporting) does not train on.
      if let patience = config.earlyStoppingPatience, stale >= patience { startEpoch = max(startEpoch, config.epochs) }
      if keepsBest, let dir = config.checkpointDirectory, let best = try? Checkpoint.read(atPath: dir + "/best.ckpt") {
        bestParameters = best.parameters
        bestBuffers = best.buffers
      } else if keepsBest {
        bestParameters = parameters
        bestBuffers = buffers
      }
    }
    let batches = (train.count + config.batchSize - 1) / config.batchSize
    // (A checkpoint past `config.epochs`, from a longer run, trains no further.)
    epochs: for epoch in startEpoch..<max(startEpoch, config.epochs) {
      if case .step = config.schedule { learningRate = config.schedule.rate(base: config.learningRate, at: epoch) }
      let order = epochOrder(count: train.count, seed: config.seed, epoch: epoch, shuffle: config.shuffle)
      train.willRead(order: order, batchSize: config.batchSize, epoch: epoch)
      let started = Date()
      var lossSum = 0.0
      var correct = 0
      var seen = 0
      for b in 0..<batches {
        let indices = Array(order[(b * config.batchSize)..<min((b + 1) * config.batchSize, train.count)])
        let (x, y) = try train.batch(indices)
        let context = ExecutionContext(training: true, seed: config.seed &+ UInt64(step) &* 0x2545_F491_4F6C_DD1D)
        let tape = try program.forward(
          inputs: [input: x], parameters: parameters.merging(buffers) { a, _ in a }, context: context)
        for (name, value) in tape.stateUpdates { buffers[name] = value }
        let (loss, gradient) = try config.loss.evaluate(output: tape.output, targets: .classes(y))
        guard loss.isFinite else {
          let kept = config.checkpointDirectory.map { " The weights of the last completed epoch are in \($0)/last.ckpt." } ?? ""
          throw TrainingError("the loss became \(loss) at epoch \(epoch + 1), batch \(b + 1); training stopped.\(kept)")
        }
        var grads = try program.backward(tape, outputGradient: gradient, context: context)
        if let clip = config.clipNorm {
          let names = program.trainable
          var list = names.map { grads[$0]! }
          clipGradientsByGlobalNorm(&list, maxNorm: clip)
          for (n, g) in zip(names, list) { grads[n] = g }
        }
        if case .cosine = config.schedule { learningRate = config.schedule.rate(base: config.learningRate, at: step) }
        for name in program.trainable {
          // Taken out of `states` for the step, so that the state's buffers have one holder and
          // are updated in place (a second would make every step copy them); the parameter is
          // updated in place when `parameters` alone holds it (see `Optimizer.apply`).
          var state = states.removeValue(forKey: name)
          let gradient = grads.removeValue(forKey: name)!
          config.optimizer.apply(parameter: &parameters[name]!, gradient: gradient, state: &state, learningRate: Float(learningRate))
          states[name] = state
        }
        step += 1
        // A batch may come out shorter than `indices` (unreadable samples are skipped).
        lossSum += Double(loss) * Double(y.count)
        correct += Self.countCorrect(tape.output, y, topK: 1).0
        seen += y.count
        let elapsed = Date().timeIntervalSince(started)
        progress(
          .batch(
            epoch: epoch + 1, batch: b + 1, batches: batches, loss: lossSum / Double(seen),
            accuracy: Double(correct) / Double(seen), examplesPerSecond: Double(seen) / max(elapsed, 1e-9)))
      }
      let seconds = Date().timeIntervalSince(started)
      var record = EpochRecord(
        epoch: epoch + 1, loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen),
        learningRate: learningRate, seconds: seconds, examplesPerSecond: Double(seen) / max(seconds, 1e-9))
      if let validation, validation.count > 0 {
        let v = try evaluate(validation, batchSize: config.batchSize, loss: config.loss, topK: config.topK)
        record.validationLoss = v.loss
        record.validationAccuracy = v.accuracy
        record.validationTopK = v.topK
      }
      history.epochs.append(record)
      progress(.epoch(record))
      let metric = record.validationLoss ?? record.loss
      var improved = false
      if metric < bestMetric {
        bestMetric = metric
        bestEpoch = epoch + 1
        if keepsBest {
          bestParameters = parameters
          bestBuffers = buffers
        }
        stale = 0
        improved = true
      } else {
        stale += 1
      }
      if var p = plateau {
        learningRate = p.step(metric: metric, rate: learningRate)
        plateau = p
      }
      if let dir = config.checkpointDirectory {
        let checkpoint = Checkpoint(
          parameters: parameters, optimizerStates: states, epoch: epoch + 1, step: step, learningRate: learningRate,
          bestMetric: bestMetric, bestEpoch: bestEpoch, epochsWithoutImprovement: stale, history: history,
          plateau: plateau, buffers: buffers)
        do {
          try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
          if improved { try checkpoint.write(toPath: dir + "/best.ckpt") }
          try checkpoint.write(toPath: dir + "/last.ckpt")
        } catch {
          // The atomic writer leaves the previous checkpoints whole.
          let kept = epoch > startEpoch || resume != nil ? "\(dir)/last.ckpt still holds the last good checkpoint" : "no checkpoint was written"
          throw TrainingError("cannot write the checkpoint of epoch \(epoch + 1): \(error); training stopped (\(kept))")
        }
      }
      if let patience = config.earlyStoppingPatience, stale >= patience {
        progress(.stoppedEarly(epoch: epoch + 1, bestEpoch: bestEpoch))
        break epochs
      }
    }
    if keepsBest && bestEpoch > 0 {
      parameters = bestParameters
      buffers = bestBuffers
    }
    return history
  }
}
