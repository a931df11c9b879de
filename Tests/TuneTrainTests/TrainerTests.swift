import Foundation
import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

/// `fit` on a linear classifier made of stand-in ops (MatMul + Add).
@Suite struct TrainerTests {
  static let resolver = OperatorResolver(operators: [TMatMul.self, TAdd.self, TRelu.self, TMul.self])

  static func model() -> Model {
    let graph = Graph(
      nodes: [
        Node(opType: "MatMul", inputs: ["x", "W"], outputs: ["z"], name: "fc"),
        Node(opType: "Add", inputs: ["z", "b"], outputs: ["logits"], name: "bias"),
      ], name: "linear",
      initializers: [
        TensorProto(name: "W", data: Tensor(zeros: .float, shape: [4, 3])),
        TensorProto(name: "b", data: Tensor(zeros: .float, shape: [3])),
      ],
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(4)]))],
      outputs: [ValueInfo(name: "logits", type: .tensor(.float, [.symbol("N"), .value(3)]))])
    return Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], graph: graph)
  }

  /// Three Gaussian blobs in 4-D.
  static func data(count: Int, seed: UInt64) -> TensorBatchSource {
    var rng = SeededRandom(seed: seed)
    var features: [Float] = []
    var labels: [Int] = []
    for i in 0..<count {
      let c = i % 3
      for d in 0..<4 { features.append((d == c ? 2 : 0) + (rng.nextFloat() - 0.5)) }
      labels.append(c)
    }
    return TensorBatchSource(features: Tensor(features, shape: [count, 4]), labels: labels)
  }

  static func config(_ dir: String? = nil) -> FitConfiguration {
    var c = FitConfiguration()
    c.epochs = 6
    c.batchSize = 8
    c.learningRate = 0.05
    c.optimizer = SGD(momentum: 0.9)
    c.seed = 3
    c.checkpointDirectory = dir
    return c
  }

  @Test func fitLearnsAndReports() throws {
    let trainer = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    var batches = 0
    let history = try trainer.fit(
      train: Self.data(count: 60, seed: 1), validation: Self.data(count: 30, seed: 2), configuration: Self.config()
    ) { event in
      if case .batch = event { batches += 1 }
    }
    #expect(batches == 6 * 8)
    #expect(history.epochs.count == 6)
    #expect(history.epochs.last!.loss < history.epochs.first!.loss)
    #expect(history.epochs.last!.validationAccuracy! > 0.9)
    #expect(history.csv().split(separator: "\n").count == 7)
    #expect(history.csv().hasPrefix("epoch,loss,accuracy,val_loss,val_accuracy,val_top5,"))
    #expect(History.parse(history.json(), topK: 5).epochs.map(\.epoch) == [1, 2, 3, 4, 5, 6])
  }

  @Test func sameSeedGivesBitIdenticalWeights() throws {
    func run() throws -> [Float] {
      let t = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
      try t.fit(train: Self.data(count: 50, seed: 1), configuration: Self.config())
      return t.parameters["W"]!.floatValues() + t.parameters["b"]!.floatValues()
    }
    let a = try run()
    let b = try run()
    #expect(a.map(\.bitPattern) == b.map(\.bitPattern))
  }

  @Test func resumedRunEqualsUninterruptedRun() throws {
    let dir = try TestData.temporaryDirectory("resume")
    defer { try? FileManager.default.removeItem(at: dir) }
    let train = Self.data(count: 50, seed: 1)
    let validation = Self.data(count: 20, seed: 2)
    var config = Self.config(dir.appendingPathComponent("full").path)
    config.optimizer = AdamW(weightDecay: 0.01)
    let full = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    let fullHistory = try full.fit(train: train, validation: validation, configuration: config)

    // Interrupted after 3 epochs, then resumed from last.ckpt in a new trainer.
    var first = config
    first.checkpointDirectory = dir.appendingPathComponent("part").path
    first.epochs = 3
    let part = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    try part.fit(train: train, validation: validation, configuration: first)
    let checkpoint = try Checkpoint.read(atPath: first.checkpointDirectory! + "/last.ckpt")
    #expect(checkpoint.epoch == 3)
    var second = config
    second.checkpointDirectory = first.checkpointDirectory
    let resumed = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    let resumedHistory = try resumed.fit(train: train, validation: validation, configuration: second, resume: checkpoint)
    for name in ["W", "b"] {
      #expect(resumed.parameters[name]!.floatValues().map(\.bitPattern) == full.parameters[name]!.floatValues().map(\.bitPattern))
    }
    #expect(resumedHistory.epochs.map(\.loss) == fullHistory.epochs.map(\.loss))
  }

  /// A batch source that yields a NaN feature in its third batch of epoch 2.
  struct PoisonedSource: BatchSource {
    let base: TensorBatchSource
    let calls = Counter()
    final class Counter: @unchecked Sendable { var n = 0 }
    var count: Int { base.count }
    func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
      calls.n += 1
      var (x, y) = try base.batch(indices)
      if calls.n == 10 { x.withMutableElements(as: Float.self) { $0[0] = .nan } }
      return (x, y)
    }
  }

  @Test func nonFiniteLossStopsCleanlyAndKeepsTheLastCheckpoint() throws {
    let dir = try TestData.temporaryDirectory("nan")
    defer { try? FileManager.default.removeItem(at: dir) }
    let trainer = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    let source = PoisonedSource(base: Self.data(count: 56, seed: 1))  // 7 batches per epoch
    do {
      try trainer.fit(train: source, configuration: Self.config(dir.path))
      Issue.record("expected the run to stop")
    } catch let e as TrainingError {
      #expect(e.description.contains("the loss became nan at epoch 2, batch 3"))
      #expect(e.description.contains("last.ckpt"))
    }
    let last = try Checkpoint.read(atPath: dir.appendingPathComponent("last.ckpt").path)
    #expect(last.epoch == 1)
    #expect(last.parameters["W"]!.floatValues().allSatisfy { $0.isFinite })
  }

  @Test func earlyStoppingRestoresTheBestWeights() throws {
    var config = Self.config()
    config.epochs = 50
    config.learningRate = 2.0  // large: the validation loss will stop improving
    config.earlyStoppingPatience = 2
    let trainer = try Trainer(model: Self.model(), trainable: ["W", "b"], operators: Self.resolver)
    var stopped: (Int, Int)?
    let history = try trainer.fit(
      train: Self.data(count: 30, seed: 1), validation: Self.data(count: 30, seed: 5), configuration: config
    ) { if case .stoppedEarly(let e, let b) = $0 { stopped = (e, b) } }
    let (epoch, best) = try #require(stopped)
    #expect(history.epochs.count == epoch && epoch < 50)
    let bestLoss = history.epochs.map { $0.validationLoss! }.min()!
    #expect(history.epochs[best - 1].validationLoss == bestLoss)
    let v = try trainer.evaluate(Self.data(count: 30, seed: 5), batchSize: 8, loss: SoftmaxCrossEntropy(), topK: 5)
    #expect(abs(v.loss - bestLoss) < 1e-9)
  }
}
