import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

/// The trainer holds each trainable weight once: the optimizer updates it in place when nothing
/// else holds it, and copies it (once) when something does, so that no other value changes.
@Suite struct TrainerMemoryTests {
  static func copy(_ t: Tensor) -> Tensor {
    Tensor(dtype: t.dtype, shape: t.shape, buffer: TensorBuffer(copying: t.buffer.bytes))
  }

  static func address(_ t: Tensor) -> Int { Int(bitPattern: t.buffer.pointer) }

  /// One step per `fit` (a single batch, one epoch), AdamW.
  static func oneStep() -> FitConfiguration {
    var c = TrainerTests.config()
    c.epochs = 1
    c.batchSize = 30
    c.optimizer = AdamW()
    return c
  }

  @Test func weightsTheCallerLetsGoOfAreTrainedInPlace() throws {
    weak var given: TensorBuffer?
    let trainer: Trainer
    do {
      let model = TrainerTests.model()
      given = model.graph!.initializer(named: "W")!.data.buffer
      trainer = try Trainer(model: model, trainable: ["W", "b"], operators: TrainerTests.resolver)
    }
    try trainer.fit(train: TrainerTests.data(count: 30, seed: 1), configuration: TrainerTests.config())
    // Neither the trainer's graphs nor its plan hold W: the optimizer wrote into the buffer the
    // model came with instead of copying it (and keeping the original beside it).
    #expect(given != nil)
    #expect(trainer.parameters["W"]!.buffer === given)
    #expect(trainer.parameters["W"]!.floatValues().contains { $0 != 0 })
    #expect(trainer.model.graph!.initializer(named: "W")!.data.buffer === given)
  }

  @Test func aCallerThatKeepsItsModelKeepsItsWeights() throws {
    // Imported (the buffers wrap the reader's memory) and built in memory (owned buffers).
    let cases: [(Model, Set<String>, OperatorResolver, TensorBatchSource, FitConfiguration)] = [
      (
        GoldenTrainingTests.model, GoldenTrainingTests.allTrainable, .standard, GoldenTrainingTests.batch,
        TrainerFrozenPrefixTests.config()
      ),
      (TrainerTests.model(), ["W", "b"], TrainerTests.resolver, TrainerTests.data(count: 30, seed: 1), TrainerTests.config()),
    ]
    for (model, trainable, operators, data, config) in cases {
      let before = model.graph!.initializers.map { Self.copy($0.data) }
      let trainer = try Trainer(model: model, trainable: trainable, operators: operators)
      try trainer.fit(train: data, configuration: config)
      for (t, original) in zip(model.graph!.initializers, before) {
        #expect(t.data.isIdentical(to: original), "\(t.name!) changed under the caller")
      }
      for name in trainable {
        #expect(!trainer.parameters[name]!.isIdentical(to: model.graph!.initializer(named: name)!.data), "\(name)")
        #expect(trainer.model.graph!.initializer(named: name)!.data.isIdentical(to: trainer.parameters[name]!))
      }
      // A second trainer from the same model starts where the first did.
      let again = try Trainer(model: model, trainable: trainable, operators: operators)
      try again.fit(train: data, configuration: config)
      for name in trainable { #expect(again.parameters[name]!.isIdentical(to: trainer.parameters[name]!), "\(name)") }
    }
  }

  @Test func memoryOwnedElsewhereIsNeverWrittenInPlace() throws {
    // W wraps memory the trainer does not own (as a read-only mapping would be): the first
    // update copies it, even though the trainer holds the only reference.
    let raw = UnsafeMutableRawPointer.allocate(byteCount: 48, alignment: 64)
    defer { raw.deallocate() }
    let values = (0..<12).map { Float($0) / 10 }
    values.withUnsafeBytes { raw.copyMemory(from: $0.baseAddress!, byteCount: 48) }
    let trainer: Trainer
    do {
      var model = TrainerTests.model()
      let w = Tensor(dtype: .float, shape: [4, 3], buffer: TensorBuffer(wrapping: raw, byteCount: 48, release: nil))
      model.graph!.initializers[0] = TensorProto(name: "W", data: w)
      trainer = try Trainer(model: model, trainable: ["W", "b"], operators: TrainerTests.resolver)
    }
    try trainer.fit(train: TrainerTests.data(count: 30, seed: 1), configuration: Self.oneStep())
    #expect(Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: 12)) == values)
    #expect(trainer.parameters["W"]!.floatValues() != values)
    #expect(trainer.parameters["W"]!.buffer.ownsMemory)
  }

  @Test func weightsAndOptimizerStateStayInTheirBuffers() throws {
    let trainer = try Trainer(model: TrainerTests.model(), trainable: ["W", "b"], operators: TrainerTests.resolver)
    let data = TrainerTests.data(count: 30, seed: 1)
    try trainer.fit(train: data, configuration: Self.oneStep())
    let slots = trainer.states["W"]!.slots.map(Self.address)
    let weights = Self.address(trainer.parameters["W"]!)
    #expect(slots.count == 2)
    // (One step: a copy would be a new allocation made while the old one is alive.)
    try trainer.fit(train: data, configuration: Self.oneStep())
    #expect(trainer.states["W"]!.slots.map(Self.address) == slots)
    #expect(Self.address(trainer.parameters["W"]!) == weights)
    #expect(trainer.states["W"]!.step == 2)
  }

  @Test func theRestoredBestWeightsAreThoseOfTheBestEpoch() throws {
    // Training goes on after the best epoch's snapshot; restoring it must give exactly the
    // weights of a run that stops at that epoch.
    var config = TrainerTests.config()
    config.epochs = 50
    config.learningRate = 2.0
    config.earlyStoppingPatience = 2
    let train = TrainerTests.data(count: 30, seed: 1)
    let validation = TrainerTests.data(count: 30, seed: 5)
    let stopped = try Trainer(model: TrainerTests.model(), trainable: ["W", "b"], operators: TrainerTests.resolver)
    var best = 0
    var last = 0
    try stopped.fit(train: train, validation: validation, configuration: config) {
      if case .stoppedEarly(let e, let b) = $0 { (last, best) = (e, b) }
    }
    try #require(best > 0 && last > best)
    var short = config
    short.epochs = best
    short.earlyStoppingPatience = nil
    let reference = try Trainer(model: TrainerTests.model(), trainable: ["W", "b"], operators: TrainerTests.resolver)
    try reference.fit(train: train, validation: validation, configuration: short)
    for name in ["W", "b"] {
      #expect(stopped.parameters[name]!.floatValues().map(\.bitPattern) == reference.parameters[name]!.floatValues().map(\.bitPattern))
    }
  }

  @Test func aTrainableWeightNothingReadsGetsAZeroGradientOfItsShape() throws {
    // The plan holds no elements of the trainable weights: the zero gradient takes its shape
    // from the weight given to the forward pass.
    var model = TrainerTests.model()
    model.graph!.initializers.append(TensorProto(name: "unused", data: Tensor([Float](repeating: 1, count: 6), shape: [2, 3])))
    let trainer = try Trainer(model: model, trainable: ["W", "b", "unused"], operators: TrainerTests.resolver)
    var config = Self.oneStep()
    config.learningRate = 0.1
    config.optimizer = AdamW(weightDecay: 0.5)
    try trainer.fit(train: TrainerTests.data(count: 30, seed: 1), configuration: config)
    let unused = trainer.parameters["unused"]!
    #expect(unused.shape == [2, 3])
    #expect(unused.floatValues() == [Float](repeating: 1 * (1 - 0.1 * 0.5), count: 6))
    #expect(trainer.trainedModel().graph!.initializer(named: "unused")!.data.isIdentical(to: unused))
  }
}
