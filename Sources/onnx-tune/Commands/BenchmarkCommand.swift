import Foundation
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTrain

/// `onnx-tune benchmark MODEL --train`: the latency of one training step (forward, backward and
/// AdamW) on random data, so that training time can be compared with other tools.
enum BenchmarkCommand: CLICommand {
  static let name = "benchmark"
  static let summary = "Time training steps (forward + backward + AdamW) on random data"
  static let help = """
    Usage: onnx-tune benchmark MODEL [--batch N] [--freeze POLICY] [--repeat N] [--threads N]

    Keeps MODEL's head (the classes it has), chooses the trainable weights with the freeze
    policy (head by default; none trains everything), and times training steps on a seeded
    random batch with random labels: forward with recording, softmax cross-entropy, backward
    and an AdamW update. Prints the latency min / median / max in ms after one warm-up step.
    (For inference latency use `onnx-tune run --random --repeat N`.)

    Options:
      --batch N          batch size (default 32)
      --freeze POLICY    head (default), none, pattern:GLOB[;GLOB], upto:NODE_OR_TENSOR, last:K
      --repeat N         timed steps (default 10)
      --threads N        compute threads, OpenBLAS included
      -h, --help         show this help
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let batch = try arguments.intOption("--batch", in: 1...65536) ?? 32
    let freeze = try arguments.option("--freeze") ?? "head"
    let repeats = try arguments.intOption("--repeat", in: 1...100_000) ?? 10
    if let t = try arguments.intOption("--threads", in: 1...256) { ComputeThreads.set(t) }
    let path = try arguments.positionals(["MODEL"])[0]
    let (trainer, data, trainableCount) = try prepare(path: path, freeze: freeze, batch: batch)
    var config = FitConfiguration()
    config.epochs = 1
    config.batchSize = batch
    config.shuffle = false
    config.optimizer = AdamW()
    try trainer.fit(train: data, configuration: config)  // warm-up
    var times: [Double] = []
    for _ in 0..<repeats {
      let start = Date()
      try trainer.fit(train: data, configuration: config)
      times.append(Date().timeIntervalSince(start) * 1000)
    }
    times.sort()
    print("training step (batch \(batch), freeze \(freeze), \(trainableCount) trainable tensors):")
    print(String(format: "latency over %d steps: min %.3f ms, median %.3f ms, max %.3f ms", repeats, times.first!, times[times.count / 2], times.last!))
    return 0
  }

  /// The trainer, a seeded random batch and the number of trainable tensors. The model read and
  /// its surgery plan go away on return: the trainer holds the only reference to each trainable
  /// weight, and training holds one copy of the weights (as a PyTorch training loop does).
  static func prepare(path: String, freeze: String, batch: Int) throws -> (Trainer, TensorBatchSource, Int) {
    let model = try ONNXReader.readModel(atPath: path)
    let plan = try SurgeryPlan(model: model, options: .init(spec: nil, freeze: try FreezePolicy(parsing: freeze)))
    guard let input = plan.model.graph?.runtimeInputs.first, let name = input.name else {
      throw CLIError(message: "benchmark: \(path): the model has no input")
    }
    let dims = (input.type?.tensorDims ?? []).enumerated().map { i, d in Int(d.fixedValue ?? (i == 0 ? Int64(batch) : 1)) }
    var shape = dims
    if !shape.isEmpty { shape[0] = batch }
    var rng = SeededRandom(seed: 1)
    let x = Tensor((0..<Tensor.elementCount(shape)).map { _ in rng.nextFloat() }, shape: shape)
    let classes = plan.classes
    let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(classes)) }
    let trainer = try Trainer(model: plan.model, trainable: Set(plan.trainable.trainable), input: name)
    return (trainer, TensorBatchSource(features: x, labels: labels), plan.trainable.trainable.count)
  }
}
