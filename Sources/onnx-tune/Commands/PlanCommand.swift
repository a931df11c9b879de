import Foundation
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTrain

/// `onnx-tune plan MODEL [--head SPEC] [--classes N] [--freeze POLICY] [--cut-at T] [--pop N]`:
/// what fine-tuning would do, before any training.
enum PlanCommand: CLICommand {
  static let name = "plan"
  static let summary = "Show the head swap, the trainable weights and the gradient path, without training"
  static let help = """
    Usage: onnx-tune plan MODEL [--head SPEC] [--classes N] [--freeze POLICY]
                                [--cut-at TENSOR | --pop N] [--softmax | --no-softmax] [--seed S]
                                [--save PATH]

    Finds the classifier head, builds the new one (if asked), promotes weights held in Constant
    nodes to initializers, and prints: the old and new head, trainable and frozen parameter
    counts, the mode of every BatchNormalization, and every op on a path from a trainable weight
    to the output with whether it has a gradient rule. An op without one is an error naming the
    node (exit status 1).

    Options:
      --head SPEC      New head, e.g. dense:256:relu,dropout:0.3,batchnorm,dense:CLASSES
                       (items: dense:N[:relu|gelu|tanh|sigmoid|none], dropout:P, batchnorm,
                       globalavgpool, flatten, relu, gelu, tanh, sigmoid). Default: keep the
                       head, or dense:CLASSES when --classes, --cut-at or --pop changes it.
      --classes N      Number of classes (CLASSES in the spec; default: the model's).
      --freeze POLICY  head (default: only the head trains), none, pattern:GLOB[;GLOB]
                       (freeze matching weights), upto:NODE_OR_TENSOR (freeze it and everything
                       before it), last:K (train the last K weight layers and what follows).
      --cut-at TENSOR  Take TENSOR (or a node name) as the feature tensor (Keras include_top=False).
      --pop N          Remove the last N weight layers (Keras pop()).
      --softmax        End the new head with Softmax; --no-softmax: output logits.
                       Default: as the old head.
      --seed S         Seed of the new head's initialization (default 0).
      --save PATH      Also write the planned (untrained) model.
      -h, --help       Show this help.
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let specText = try arguments.option("--head")
    let classes = try arguments.intOption("--classes", in: 1...1_000_000)
    let freezeText = try arguments.option("--freeze")
    let cutAt = try arguments.option("--cut-at")
    let pop = try arguments.intOption("--pop", in: 1...10_000)
    let softmax = arguments.flag("--softmax")
    let noSoftmax = arguments.flag("--no-softmax")
    let seed = try arguments.intOption("--seed", in: 0...Int.max) ?? 0
    let save = try arguments.option("--save")
    let path = try arguments.positionals(["MODEL"])[0]
    if softmax && noSoftmax { throw CLIError(message: "plan: give --softmax or --no-softmax, not both", usage: true) }
    if cutAt != nil && pop != nil { throw CLIError(message: "plan: give --cut-at or --pop, not both", usage: true) }
    var options = SurgeryPlan.Options(cutAt: cutAt, pop: pop, seed: UInt64(seed))
    do {
      if let specText { options.spec = try HeadSpec(parsing: specText) }
      if let freezeText { options.freeze = try FreezePolicy(parsing: freezeText) }
    } catch let e as SurgeryError {
      throw CLIError(message: "plan: \(e.message)", usage: true)
    }
    options.classes = classes
    if softmax { options.outputActivation = .some("Softmax") }
    if noSoftmax { options.outputActivation = .some(nil) }
    let model = try ONNXReader.readModel(atPath: path)
    let plan: SurgeryPlan
    do {
      plan = try SurgeryPlan(model: model, options: options)
    } catch let e as SurgeryError {
      throw CLIError(message: "plan: \(path): \(e.message)")
    } catch let e as PassError {
      throw CLIError(message: "plan: \(path): \(e)")
    }
    var out = render(plan, path: path, seed: seed)
    let check = gradientCheck(plan)
    out += check.text
    print(out, terminator: "")
    if let save {
      try ONNXWriter.write(plan.model, toPath: save)
      print("\nPlanned model written to \(save) (untrained head).")
    }
    if let error = check.error {
      printError("onnx-tune plan: \(error)")
      return 1
    }
    return 0
  }

  static func render(_ plan: SurgeryPlan, path: String, seed: Int) -> String {
    let seedText = String(seed)
    let old = plan.oldHead
    let og = plan.original.graph!
    let g = plan.model.graph!
    var out = "Plan for \(path)\n\n"
    out += "Current head (\(old.selection)):\n"
    out += "  output \(old.output), \(old.numberOfClasses.map(String.init) ?? "?") classes, \(old.outputActivation ?? "logits")\n"
    out += "  feature tensor: \(old.featureTensor) \(old.featureShape?.description ?? "?")\n"
    out += "  nodes: " + old.nodeIndices.map { "\(og.nodes[$0].displayName) (\(og.nodes[$0].opType ?? "?"))" }.joined(separator: ", ") + "\n"
    if !plan.promoted.isEmpty {
      out += "\nPromoted \(plan.promoted.count) Constant-node weights to initializers: \(plan.promoted.joined(separator: ", "))\n"
    }
    if let spec = plan.spec {
      out += "\nNew head: \(spec) with \(plan.classes) classes (output '\(old.output)' keeps its name)\n"
      let shapes = ShapeInference(plan.model)
      var denseActivations: [HeadSpec.Activation] = spec.layers.compactMap {
        if case .dense(_, let a) = $0 { return a } else { return nil }
      }
      for i in plan.newHeadNodes {
        let n = g.nodes[i]
        let shape = n.outputs.first.flatMap { shapes[$0]?.description } ?? "?"
        var note = ""
        if n.opType == "Gemm", n.inputs.count > 1, let w = g.initializer(named: n.inputs[1]) {
          let act = denseActivations.isEmpty ? .none : denseActivations.removeFirst()
          let he = act == .relu || act == .gelu
          note = "  weight [\(w.data.shape.map(String.init).joined(separator: ","))], \(he ? "He" : "Glorot") uniform, seed \(seedText)"
        }
        out += "  \(padded(n.opType ?? "?", 20))\(padded(n.displayName, 34))\(shape)\(note)\n"
      }
    } else {
      out += "\nHead kept as it is (\(plan.classes) classes).\n"
    }
    let t = plan.trainable
    out += "\nParameters:\n"
    out += "  trainable: \(InspectCommand.grouped(t.trainableParameterCount)) in \(t.trainable.count) tensors\n"
    for name in t.trainable {
      let shape = g.initializer(named: name)?.data.shape.map(String.init).joined(separator: ",") ?? "?"
      out += "    \(name) [\(shape)]\n"
    }
    out += "  frozen:    \(InspectCommand.grouped(t.frozenParameterCount)) in \(t.frozen.count) tensors\n"
    if !t.batchNorms.isEmpty {
      out += "\nBatchNormalization:\n"
      for b in t.batchNorms {
        out += "  \(padded(b.node, 44))\(b.trainable ? "trainable (batch statistics; running mean/var updated with its momentum)" : "frozen (inference mode, running statistics)")\n"
      }
    }
    return out
  }

  /// Every op between trainable weights and the output, with whether it has a gradient rule;
  /// then the backward driver is built, which fails naming the first node it cannot handle.
  static func gradientCheck(_ plan: SurgeryPlan) -> (text: String, error: String?) {
    let g = plan.model.graph!
    let output = plan.oldHead.output
    var out = "\nGradient path (trainable weights -> '\(output)'):\n"
    if plan.trainable.trainable.isEmpty {
      return (out + "  nothing trains under this freeze policy.\n", nil)
    }
    var firstMissing: String? = nil
    let path = plan.gradientPath(to: output)
    let width = min(64, (path.map { g.nodes[$0].displayName.count }.max() ?? 0) + 2)
    for i in path {
      let n = g.nodes[i]
      let status: String
      if let type = OperatorRegistry.lookup(opType: n.opType ?? "", domain: n.domain ?? "") {
        if type is any DifferentiableOperator.Type {
          status = "gradient: yes"
        } else {
          status = "gradient: NO"
          if firstMissing == nil { firstMissing = "node \(n.label) has no gradient rule and lies between trainable weights and '\(output)'" }
        }
      } else {
        status = "NOT SUPPORTED (no such op in the registry)"
        if firstMissing == nil { firstMissing = "node \(n.label) is not a supported op" }
      }
      out += "  \(padded(n.opType ?? "?", 20))\(padded(n.displayName, width))\(status)\n"
    }
    if let firstMissing { return (out, firstMissing) }
    do {
      let executionPlan = try ExecutionPlan(model: plan.model)
      _ = try GradientProgram(plan: executionPlan, trainable: Set(plan.trainable.trainable), output: output)
      out += "  backward pass: ok\n"
      return (out, nil)
    } catch {
      return (out, "\(error)")
    }
  }
}
