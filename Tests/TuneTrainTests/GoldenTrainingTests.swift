import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

/// The training stack against a pinned PyTorch run (`fixtures/golden/make_training_golden.py`,
/// torch 2.13.0+cpu) on the fixture CNN (Conv + BatchNorm + ReLU + MaxPool twice, global
/// average pool, Gemm): step-0 logits, loss and every gradient, and 10-step loss curves with
/// SGD-with-momentum and AdamW, with everything trainable and with the backbone frozen.
///
/// Tolerances: logits and loss rtol 1e-5; gradients |Δ| ≤ 1e-6 + 1e-4·|torch|; each loss of the
/// curves rtol 1e-4; the final head weights |Δ| ≤ 1e-5 + 1e-4·|torch|.
@Suite struct GoldenTrainingTests {
  nonisolated(unsafe) static let golden: [String: Any] = {
    let url = TestData.fixtures.appendingPathComponent("golden/training_golden.json")
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
  }()

  static func floats(_ any: Any?) -> [Float] { (any as! [NSNumber]).map(\.floatValue) }

  static let model = try! ONNXReader.readModel(atPath: TestData.fixtures.appendingPathComponent("models/torch_cnn.onnx").path)
  static var allTrainable: Set<String> {
    Set(model.graph!.initializers.compactMap(\.name).filter { !$0.contains("running_") })
  }
  static var batch: TensorBatchSource {
    TensorBatchSource(
      features: Tensor(floats(golden["input"]), shape: golden["input_shape"] as! [Int]), labels: golden["labels"] as! [Int])
  }

  static func expectClose(_ a: [Float], _ b: [Float], rtol: Float, atol: Float, _ what: String) {
    #expect(a.count == b.count, "\(what): \(a.count) values vs \(b.count)")
    var worst: (Float, Int) = (0, -1)
    for (i, (x, y)) in zip(a, b).enumerated() {
      let excess = abs(x - y) - (atol + rtol * abs(y))
      if excess > worst.0 { worst = (excess, i) }
    }
    #expect(worst.1 < 0, "\(what): element \(worst.1) off by \(worst.0) beyond tolerance")
  }

  @Test func stepZeroMatchesPyTorch() throws {
    let step0 = Self.golden["step0"] as! [String: Any]
    let plan = try ExecutionPlan(model: Self.model)
    let program = try GradientProgram(plan: plan, trainable: Self.allTrainable, output: "logits")
    let (x, y) = try Self.batch.batch(Array(0..<8))
    let tape = try program.forward(inputs: ["input": x], parameters: [:], context: ExecutionContext(training: true))
    Self.expectClose(tape.output.floatValues(), Self.floats(step0["logits"]), rtol: 1e-5, atol: 1e-6, "logits")
    let (loss, dLogits) = try SoftmaxCrossEntropy().evaluate(output: tape.output, targets: .classes(y))
    let expectedLoss = (step0["loss"] as! NSNumber).floatValue
    #expect(abs(loss - expectedLoss) <= 1e-5 * expectedLoss, "loss \(loss) vs \(expectedLoss)")
    let gradients = try program.backward(tape, outputGradient: dLogits)
    let expected = step0["gradients"] as! [String: Any]
    #expect(Set(expected.keys) == Self.allTrainable)
    for (name, values) in expected {
      Self.expectClose(gradients[name]!.floatValues(), Self.floats(values), rtol: 1e-4, atol: 1e-6, "gradient of \(name)")
    }
  }

  @Test(arguments: ["sgd full", "adamw full", "sgd frozen", "adamw frozen"])
  func lossCurveMatchesPyTorch(_ name: String) throws {
    let curve = (Self.golden["curves"] as! [String: Any])[name] as! [String: Any]
    let frozen = name.hasSuffix("frozen")
    let trainer = try Trainer(
      model: Self.model, trainable: frozen ? ["fc.weight", "fc.bias"] : Self.allTrainable, input: "input", output: "logits")
    var config = FitConfiguration()
    config.epochs = 10
    config.batchSize = 8
    config.shuffle = false
    if name.hasPrefix("sgd") {
      config.optimizer = SGD(momentum: 0.9)
      config.learningRate = 0.05
    } else {
      config.optimizer = AdamW(weightDecay: 0.01)
      config.learningRate = 1e-3
    }
    let history = try trainer.fit(train: Self.batch, configuration: config)
    let ours = history.epochs.map { Float($0.loss) }
    Self.expectClose(ours, Self.floats(curve["losses"]), rtol: 1e-4, atol: 0, "\(name) losses")
    for (weight, values) in curve["final"] as! [String: Any] {
      Self.expectClose(trainer.parameters[weight]!.floatValues(), Self.floats(values), rtol: 1e-4, atol: 1e-5, "\(name) final \(weight)")
    }
  }
}
