import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

/// The Trainer runs the frozen prefix with the inference rewrites (BatchNorm folded, Conv fused
/// with its activation), everything that depends on a trainable weight as written, and gives
/// back the original graph.
@Suite struct TrainerFrozenPrefixTests {
  /// torch_cnn: Conv, BatchNorm, Relu, MaxPool twice (features.0-1, features.4-5), pool, Gemm fc.
  static var model: Model { GoldenTrainingTests.model }

  static func config() -> FitConfiguration {
    var c = FitConfiguration()
    c.epochs = 2
    c.batchSize = 4
    c.learningRate = 0.01
    c.seed = 1
    return c
  }

  static func ops(_ m: Model) -> [String] { m.graph!.nodes.map { $0.opType ?? "?" } }

  @Test func aFrozenBackboneRunsRewrittenAndTheTrainedModelIsTheOriginalGraph() throws {
    let trainer = try Trainer(model: Self.model, trainable: ["fc.weight", "fc.bias"], input: "input", output: "logits")
    #expect(
      Self.ops(trainer.executionModel) == ["FusedConv", "MaxPool", "FusedConv", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm"])
    // The plan runs that graph, without the elements of the trainable weights (the trainer's
    // `parameters` are their only holder).
    #expect(trainer.program.plan.graph == Trainer.detaching(["fc.weight", "fc.bias"], from: trainer.executionModel).graph!)
    // Untouched weights are shared with the original, not copied.
    for name in ["fc.weight", "fc.bias"] {
      let t = trainer.executionModel.graph!.initializer(named: name)!.data
      #expect(t.buffer === Self.model.graph!.initializer(named: name)!.data.buffer)
    }
    let reference = try Trainer(
      model: Self.model, trainable: ["fc.weight", "fc.bias"], input: "input", output: "logits", optimizeFrozen: false)
    #expect(reference.executionModel == Self.model)
    try trainer.fit(train: GoldenTrainingTests.batch, configuration: Self.config())
    try reference.fit(train: GoldenTrainingTests.batch, configuration: Self.config())

    let trained = trainer.trainedModel()
    #expect(trained.graph!.nodes == Self.model.graph!.nodes)
    #expect(trained.opsetImports == Self.model.opsetImports)
    #expect(trained.graph!.initializers.map(\.name) == Self.model.graph!.initializers.map(\.name))
    for t in trained.graph!.initializers {
      let original = Self.model.graph!.initializer(named: t.name!)!.data
      #expect(t.data.isIdentical(to: original) == !t.name!.hasPrefix("fc."), "\(t.name!)")
      // Folding changes the frozen features' rounding only: the weights agree closely.
      let other = reference.trainedModel().graph!.initializer(named: t.name!)!.data
      let worst = zip(t.data.floatValues(), other.floatValues()).map { abs($0 - $1) }.max() ?? 0
      #expect(worst <= 1e-6, "\(t.name!) differs by \(worst)")
    }
    let a = try trainer.evaluate(GoldenTrainingTests.batch, batchSize: 4, loss: SoftmaxCrossEntropy(), topK: 2)
    let b = try reference.evaluate(GoldenTrainingTests.batch, batchSize: 4, loss: SoftmaxCrossEntropy(), topK: 2)
    #expect(abs(a.loss - b.loss) <= 1e-6 && a.accuracy == b.accuracy && a.topK == b.topK)
  }

  @Test func aTrainingBatchNormAndWhatFollowsItStayAsWritten() throws {
    // The second layer trains (its BatchNorm uses batch statistics): only the first is rewritten.
    let trainable: Set<String> = ["features.4.weight", "features.5.weight", "features.5.bias", "fc.weight", "fc.bias"]
    let trainer = try Trainer(model: Self.model, trainable: trainable, input: "input", output: "logits")
    #expect(
      Self.ops(trainer.executionModel) == [
        "FusedConv", "MaxPool", "Conv", "BatchNormalization", "Relu", "MaxPool", "GlobalAveragePool", "Flatten", "Gemm",
      ])
    try trainer.fit(train: GoldenTrainingTests.batch, configuration: Self.config())
    #expect(Set(trainer.buffers.keys) == ["features.5.running_mean", "features.5.running_var"])
    let trained = trainer.trainedModel()
    #expect(trained.graph!.nodes == Self.model.graph!.nodes)
    let mean = trained.graph!.initializer(named: "features.5.running_mean")!.data
    #expect(!mean.isIdentical(to: Self.model.graph!.initializer(named: "features.5.running_mean")!.data))
    #expect(trained.graph!.initializer(named: "features.1.running_mean")!.data.isIdentical(
      to: Self.model.graph!.initializer(named: "features.1.running_mean")!.data))
  }

  @Test func nothingFrozenRunsAsWritten() throws {
    let trainer = try Trainer(model: Self.model, trainable: GoldenTrainingTests.allTrainable, input: "input", output: "logits")
    #expect(trainer.executionModel == Self.model)
  }
}
