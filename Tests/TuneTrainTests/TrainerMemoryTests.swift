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
}
