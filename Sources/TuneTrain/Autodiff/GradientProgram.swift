import TuneIR
import TuneRuntime
import TuneTensor

/// Reverse-mode differentiation of a model's main graph with respect to its trainable
/// initializers.
///
/// Built once from an `ExecutionPlan`: a node is *recorded* only when it lies on a path from a
/// trainable weight to the differentiated output. The forward pass runs every node, but keeps
/// inputs and outputs (and whatever the op saves) only for recorded nodes; everything else, the
/// frozen prefix included, is released right after its last use, as in inference. The backward
/// pass walks the recorded nodes in reverse, asks each op for its input gradients, and does the
/// bookkeeping ops never do: un-broadcasting (summing a gradient back to its input's shape),
/// accumulation with `+=` where a value feeds several nodes, and the error for a missing rule.
///
/// ```swift
/// let program = try GradientProgram(plan: plan, trainable: ["fc.weight", "fc.bias"], output: "logits")
/// let tape = try program.forward(inputs: ["input": batch], parameters: weights)
/// let (loss, dLogits) = try SoftmaxCrossEntropy().evaluate(output: tape.output, targets: .classes(labels))
/// let gradients = try program.backward(tape, outputGradient: dLogits)
/// ```
public final class GradientProgram: @unchecked Sendable {
  public let plan: ExecutionPlan
  /// Trainable initializer names, in the graph's initializer order.
  public let trainable: [String]
  /// The graph output being differentiated.
  public let output: String
  let outputSlot: Int
  let trainableSlots: [Int]
  /// Per step: whether the forward pass records it for the backward pass.
  public let recorded: [Bool]
  /// Per step: run in training mode (BatchNormalization with batch statistics, Dropout active).
  let trainingMode: [Bool]
  /// Per slot: the value depends on a trainable weight (its gradient is wanted).
  let dependsOnTrainable: [Bool]
  /// Per slot: the backward pass reads it, so the forward pass must not release it.
  let keptForBackward: [Bool]

  /// - Parameters:
  ///   - trainable: initializer names to differentiate with respect to.
  ///   - output: the graph output the loss reads.
  public init(plan: ExecutionPlan, trainable: Set<String>, output: String) throws {
    self.plan = plan
    self.output = output
    let steps = plan.steps
    guard let out = plan.outputs.first(where: { $0.name == output }) else {
      throw ExecutionError(
        message: "'\(output)' is not a graph output (outputs: \(plan.outputs.map(\.name).joined(separator: ", ")))")
    }
    outputSlot = out.slot
    let initializerNames = plan.graph.initializers.compactMap(\.name)
    let unknown = trainable.subtracting(initializerNames)
    if let u = unknown.sorted().first {
      throw ExecutionError(message: "trainable weight '\(u)' is not an initializer of the graph")
    }
    self.trainable = initializerNames.filter { trainable.contains($0) }
    trainableSlots = self.trainable.map { plan.slots[$0]! }

    let slotCount = plan.slotNames.count
    var depends = [Bool](repeating: false, count: slotCount)
    for s in trainableSlots { depends[s] = true }
    for step in steps where step.inputs.contains(where: { $0.map { depends[$0] } ?? false }) {
      for o in step.outputs { if let o { depends[o] = true } }
    }
    var reaches = [Bool](repeating: false, count: slotCount)
    reaches[outputSlot] = true
    for step in steps.reversed() where step.outputs.contains(where: { $0.map { reaches[$0] } ?? false }) {
      for i in step.inputs { if let i { reaches[i] = true } }
    }
    var recorded = [Bool](repeating: false, count: steps.count)
    var training = [Bool](repeating: false, count: steps.count)
    var kept = [Bool](repeating: false, count: slotCount)
    for (k, step) in steps.enumerated() {
      let fromWeights = step.inputs.contains { $0.map { depends[$0] } ?? false }
      let toOutput = step.outputs.contains { $0.map { reaches[$0] } ?? false }
      guard fromWeights && toOutput else { continue }
      recorded[k] = true
      if !step.subgraphs.isEmpty {
        throw ExecutionError(
          node: step.node.displayName, opType: step.node.opType,
          message: "control flow on the path from trainable weights to '\(output)' cannot be differentiated")
      }
      guard step.op is any DifferentiableOperator else {
        throw ExecutionError(
          node: step.node.displayName, opType: step.node.opType,
          message: "no gradient rule for \(step.node.opType ?? "?"), and the node lies between trainable weights and output '\(output)'")
      }
      for s in step.inputs + step.outputs { if let s { kept[s] = true } }
      // Keras semantics: a BatchNormalization whose scale and bias are frozen runs in inference
      // mode even inside the trained part.
      if step.node.opType == "BatchNormalization" {
        let scale = step.inputs.count > 1 ? step.inputs[1] : nil
        let bias = step.inputs.count > 2 ? step.inputs[2] : nil
        training[k] = (scale.map { depends[$0] } ?? false) || (bias.map { depends[$0] } ?? false)
      } else {
        training[k] = true
      }
    }
    self.recorded = recorded
    self.trainingMode = training
    self.dependsOnTrainable = depends
    self.keptForBackward = kept
  }

  private lazy var initializerNames = Set(plan.graph.initializers.compactMap(\.name))
  func isInitializer(_ name: String) -> Bool { initializerNames.contains(name) }

  /// Steps recorded for the backward pass.
  public var recordedStepCount: Int { recorded.lazy.filter { $0 }.count }

  /// What the forward pass leaves for the backward pass.
  public final class Tape: @unchecked Sendable {
    /// The differentiated output.
    public let output: Tensor
    /// All graph outputs, in order.
    public let outputs: [Tensor]
    var inputs: [[Tensor?]]
    var results: [[Tensor]]
    var saved: [[Tensor]]
    /// New values of running statistics (BatchNormalization in training mode), by the name of
    /// the initializer that holds them.
    public let stateUpdates: [String: Tensor]
    /// Shapes of the trainable weights as the forward pass was given them, in `trainable`'s
    /// order (the shape of a zero gradient; the plan's constant may hold no elements: see
    /// `Trainer.detaching`).
    let trainableShapes: [[Int]]
    /// Bytes held for the backward pass (recorded inputs, outputs and saved tensors; shared
    /// buffers counted once).
    public let retainedBytes: Int

    init(
      output: Tensor, outputs: [Tensor], inputs: [[Tensor?]], results: [[Tensor]], saved: [[Tensor]],
      stateUpdates: [String: Tensor], trainableShapes: [[Int]]
    ) {
      self.stateUpdates = stateUpdates
      self.trainableShapes = trainableShapes
      self.output = output
      self.outputs = outputs
      self.inputs = inputs
      self.results = results
      self.saved = saved
      var seen = Set<ObjectIdentifier>()
      var bytes = 0
      for t in inputs.joined().compactMap({ $0 }) + results.joined() + saved.joined()
      where seen.insert(ObjectIdentifier(t.buffer)).inserted {
        bytes += t.byteCount
      }
      retainedBytes = bytes
    }
  }

  /// Runs the graph forward, recording what the backward pass needs.
  /// - Parameters:
  ///   - parameters: current values of trainable (or other) initializers, by name; initializers
  ///     not given keep the model's values. The tape holds them until `backward` consumes it: an
  ///     optimizer updates them in place only after that.
  public func forward(
    inputs: [String: Tensor], parameters: [String: Tensor], context: ExecutionContext = ExecutionContext()
  ) throws -> Tape {
    var values = [Tensor?](repeating: nil, count: plan.slotNames.count)
    for (slot, value) in plan.constants { values[slot] = value }
    for (name, value) in parameters {
      guard let s = plan.slots[name] else { throw ExecutionError(message: "unknown parameter '\(name)'") }
      values[s] = value
    }
    for (name, slot, _) in plan.inputs {
      guard let t = inputs[name] else { throw ExecutionError(message: "missing input '\(name)'") }
      values[slot] = t
    }
    let trainableShapes = trainableSlots.map { values[$0]?.shape ?? [] }
    let steps = plan.steps
    var recordedInputs = [[Tensor?]](repeating: [], count: steps.count)
    var recordedResults = [[Tensor]](repeating: [], count: steps.count)
    var recordedSaved = [[Tensor]](repeating: [], count: steps.count)
    var stateUpdates: [String: Tensor] = [:]
    let wasTraining = context.training
    defer { context.training = wasTraining }
    for (k, step) in steps.enumerated() {
      var arguments: [Tensor?] = []
      arguments.reserveCapacity(step.inputs.count)
      for (i, slot) in step.inputs.enumerated() {
        guard let slot else {
          arguments.append(nil)
          continue
        }
        guard let v = values[slot] else {
          throw ExecutionError(node: step.node.displayName, opType: step.node.opType, message: "input '\(step.node.inputs[i])' has no value")
        }
        arguments.append(v)
      }
      if !step.subgraphs.isEmpty {
        throw ExecutionError(
          node: step.node.displayName, opType: step.node.opType,
          message: "control flow (subgraphs) is not supported in training graphs yet")
      }
      context.training = trainingMode[k]
      let results: [Tensor]
      do {
        if recorded[k], let op = step.op as? any DifferentiableOperator {
          let (outs, saved) = try op.forwardForTraining(arguments, context: context)
          results = outs
          recordedInputs[k] = arguments
          recordedResults[k] = outs
          recordedSaved[k] = saved
          if trainingMode[k], let stateful = op as? any RunningStatisticsOperator {
            for (i, value) in stateful.runningStatisticsUpdates(inputs: arguments, saved: saved)
            where i < step.node.inputs.count && isInitializer(step.node.inputs[i]) {
              stateUpdates[step.node.inputs[i]] = value
            }
          }
        } else {
          results = try step.op.forward(arguments, context: context)
        }
      } catch let e as OpError {
        throw ExecutionError(
          node: step.node.displayName, opType: step.node.opType, message: e.message,
          inputs: arguments.map(ExecutionError.describe))
      }
      for (i, slot) in step.outputs.enumerated() where i < results.count {
        if let slot { values[slot] = results[i] }
      }
      for slot in step.releases where !keptForBackward[slot] && slot != outputSlot {
        values[slot] = nil
      }
    }
    let outputs = try plan.outputs.map { name, slot in
      guard let v = values[slot] else { throw ExecutionError(message: "graph output '\(name)' was not computed") }
      return v
    }
    guard let out = values[outputSlot] else { throw ExecutionError(message: "output '\(output)' was not computed") }
    return Tape(
      output: out, outputs: outputs, inputs: recordedInputs, results: recordedResults, saved: recordedSaved,
      stateUpdates: stateUpdates, trainableShapes: trainableShapes)
  }

  /// Gradients of the trainable weights, given ∂loss/∂output. Consumes the tape: each
  /// recorded node's tensors are released as soon as its gradients are computed.
  public func backward(_ tape: Tape, outputGradient: Tensor, context: ExecutionContext = ExecutionContext())
    throws -> [String: Tensor]
  {
    guard outputGradient.shape == tape.output.shape, outputGradient.dtype == .float else {
      throw ExecutionError(
        message: "output gradient \(outputGradient.dtype)\(outputGradient.shape) does not match output '\(output)' \(tape.output.dtype)\(tape.output.shape)")
    }
    var gradients = [Tensor?](repeating: nil, count: plan.slotNames.count)
    gradients[outputSlot] = outputGradient
    let isTrainableSlot = Set(trainableSlots)
    for (k, step) in plan.steps.enumerated().reversed() where recorded[k] {
      let outputGradients = step.outputs.map { $0.flatMap { gradients[$0] } }
      defer {
        tape.inputs[k] = []
        tape.results[k] = []
        tape.saved[k] = []
        for o in step.outputs { if let o, !isTrainableSlot.contains(o) { gradients[o] = nil } }
      }
      if outputGradients.allSatisfy({ $0 == nil }) { continue }
      let op = step.op as! any DifferentiableOperator
      let needed = step.inputs.map { $0.map { dependsOnTrainable[$0] } ?? false }
      context.training = trainingMode[k]
      let inputGradients: [Tensor?]
      do {
        inputGradients = try op.backward(
          inputs: tape.inputs[k], outputs: tape.results[k], saved: tape.saved[k],
          outputGradients: outputGradients, needed: needed, context: context)
      } catch let e as OpError {
        throw ExecutionError(
          node: step.node.displayName, opType: step.node.opType, message: "gradient: \(e.message)",
          inputs: tape.inputs[k].map(ExecutionError.describe))
      }
      for (i, slot) in step.inputs.enumerated() where needed[i] {
        guard let slot else { continue }
        guard i < inputGradients.count, let g = inputGradients[i] else {
          throw ExecutionError(
            node: step.node.displayName, opType: step.node.opType,
            message: "the gradient rule gave no gradient for input \(i) ('\(step.node.inputs[i])')")
        }
        let shape = tape.inputs[k][i]?.shape ?? g.shape
        let reduced: Tensor
        do {
          reduced = try g.unbroadcast(to: shape)
        } catch let e as OpError {
          throw ExecutionError(node: step.node.displayName, opType: step.node.opType, message: "gradient for input \(i): \(e.message)")
        }
        if let existing = gradients[slot] {
          gradients[slot] = existing.adding(reduced)
        } else {
          gradients[slot] = reduced
        }
      }
    }
    var result: [String: Tensor] = [:]
    for (k, (name, slot)) in zip(trainable, trainableSlots).enumerated() {
      result[name] = gradients[slot] ?? Tensor(zeros: .float, shape: tape.trainableShapes[k])
    }
    return result
  }
}
