import Foundation
import Testing
import TuneTensor
import TuneTestSupport
@testable import TuneTrain

/// Losses, optimizers, clipping and schedules against PyTorch golden values
/// (`fixtures/golden/make_optimizer_golden.py`, torch 2.13.0+cpu).
@Suite struct OptimizerGoldenTests {
  nonisolated(unsafe) static let golden: [String: Any] = {
    let url = TestData.fixtures.appendingPathComponent("golden/optimizer_golden.json")
    let data = try! Data(contentsOf: url)
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
  }()

  static func floats(_ any: Any?) -> [Float] { (any as! [Any]).map { Float(($0 as! NSNumber).doubleValue) } }

  /// Relative tolerance for float32 rules over 5 steps: 1e-5 relative, 1e-6 absolute.
  static func expectClose(_ a: [Float], _ b: [Float], rtol: Float = 1e-5, atol: Float = 1e-6, _ what: String) {
    #expect(a.count == b.count, "\(what): count")
    var worst: Float = 0
    for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) - rtol * abs(y)) }
    #expect(worst <= atol, "\(what): worst excess error \(worst)")
  }

  static func optimizer(_ name: String) -> (any Optimizer, Float) {
    switch name {
    case "sgd lr=0.1": return (SGD(), 0.1)
    case "sgd lr=0.1 momentum=0.9": return (SGD(momentum: 0.9), 0.1)
    case "sgd lr=0.05 momentum=0.9 nesterov": return (SGD(momentum: 0.9, nesterov: true), 0.05)
    case "sgd lr=0.1 momentum=0.8 weight_decay=0.01": return (SGD(momentum: 0.8, weightDecay: 0.01), 0.1)
    case "adam lr=0.01": return (Adam(), 0.01)
    case "adam lr=0.01 weight_decay=0.1": return (Adam(weightDecay: 0.1), 0.01)
    case "adamw lr=0.01 weight_decay=0.05": return (AdamW(weightDecay: 0.05), 0.01)
    case "adamw lr=0.003 betas=0.8,0.95 eps=1e-6 weight_decay=0.2":
      return (AdamW(beta1: 0.8, beta2: 0.95, epsilon: 1e-6, weightDecay: 0.2), 0.003)
    default: fatalError("unknown golden optimizer \(name)")
    }
  }

  @Test func optimizersMatchPyTorch() {
    let cases = Self.golden["optimizers"] as! [[String: Any]]
    #expect(cases.count == 8)
    for c in cases {
      let name = c["name"] as! String
      let (opt, lr) = Self.optimizer(name)
      var p = Tensor(Self.floats(c["initial"]), shape: [3, 4])
      var state: OptimizerState?
      let grads = (c["gradients"] as! [Any]).map { Self.floats($0) }
      let after = (c["after"] as! [Any]).map { Self.floats($0) }
      for (k, g) in grads.enumerated() {
        opt.apply(parameter: &p, gradient: Tensor(g, shape: [3, 4]), state: &state, learningRate: lr)
        Self.expectClose(p.elements(as: Float.self), after[k], "\(name) step \(k + 1)")
      }
    }
  }

  @Test func lossesMatchPyTorch() throws {
    for c in Self.golden["losses"] as! [[String: Any]] {
      let name = c["name"] as! String
      let shape = (c["shape"] as! [Int])
      let x = Tensor(Self.floats(c["logits"]), shape: shape)
      let loss: any Loss
      let targets: LossTargets
      switch c["kind"] as! String {
      case "softmax_cross_entropy":
        let weights = (c["weights"] as? [Any]).map { _ in Self.floats(c["weights"]) }
        loss = SoftmaxCrossEntropy(labelSmoothing: Float((c["smoothing"] as! NSNumber).doubleValue), classWeights: weights)
        targets = .classes(c["labels"] as! [Int])
      case "bce_with_logits":
        loss = BinaryCrossEntropyWithLogits()
        targets = .values(Tensor(Self.floats(c["targets"]), shape: shape))
      default:
        loss = MeanSquaredError()
        targets = .values(Tensor(Self.floats(c["targets"]), shape: shape))
      }
      let (value, gradient) = try loss.evaluate(output: x, targets: targets)
      let expected = Float((c["loss"] as! NSNumber).doubleValue)
      #expect(abs(value - expected) <= 1e-5 * max(1, abs(expected)), "\(name): loss \(value) vs \(expected)")
      Self.expectClose(gradient.elements(as: Float.self), Self.floats(c["gradient"]), rtol: 1e-4, atol: 1e-6, "\(name) gradient")
    }
  }

  @Test func badLabelsAreErrors() {
    let x = Tensor([Float](repeating: 0, count: 6), shape: [2, 3])
    #expect(throws: LossError.self) { try SoftmaxCrossEntropy().evaluate(output: x, targets: .classes([0, 3])) }
    #expect(throws: LossError.self) { try SoftmaxCrossEntropy().evaluate(output: x, targets: .classes([0])) }
    #expect(throws: LossError.self) { try SoftmaxCrossEntropy(classWeights: [1, 2]).evaluate(output: x, targets: .classes([0, 1])) }
  }

  @Test func globalNormClippingMatchesPyTorch() {
    let c = Self.golden["clip"] as! [String: Any]
    var grads = [Tensor(Self.floats(c["a"]), shape: [3, 3]), Tensor(Self.floats(c["b"]), shape: [5])]
    let norm = clipGradientsByGlobalNorm(&grads, maxNorm: 1.5)
    #expect(abs(norm - Float((c["norm"] as! NSNumber).doubleValue)) < 1e-5)
    Self.expectClose(grads[0].elements(as: Float.self), Self.floats(c["a_clipped"]), "clip a")
    Self.expectClose(grads[1].elements(as: Float.self), Self.floats(c["b_clipped"]), "clip b")
  }

  @Test func schedulesMatchPyTorch() {
    let s = Self.golden["schedules"] as! [String: Any]
    let step = (s["step size=3 gamma=0.5"] as! [NSNumber]).map(\.doubleValue)
    for (t, v) in step.enumerated() {
      #expect(abs(LearningRateSchedule.step(stepSize: 3, gamma: 0.5).rate(base: 0.1, at: t) - v) < 1e-12)
    }
    let cosine = (s["cosine T=10 eta_min=0.001"] as! [NSNumber]).map(\.doubleValue)
    for (t, v) in cosine.enumerated() where t <= 10 {
      let ours = LearningRateSchedule.cosine(warmup: 0, total: 10, minimum: 0.001).rate(base: 0.1, at: t)
      #expect(abs(ours - v) < 1e-9, "cosine step \(t): \(ours) vs \(v)")
    }
    // Warm-up: linear from base/W to base.
    let warm = LearningRateSchedule.cosine(warmup: 4, total: 14, minimum: 0)
    #expect(abs(warm.rate(base: 0.1, at: 0) - 0.025) < 1e-12)
    #expect(abs(warm.rate(base: 0.1, at: 3) - 0.1) < 1e-12)
    #expect(abs(warm.rate(base: 0.1, at: 4) - 0.1) < 1e-12)
    #expect(warm.rate(base: 0.1, at: 14) == 0)
    let plateau = s["plateau factor=0.5 patience=2 min_lr=0.01"] as! [String: Any]
    var p = ReduceOnPlateau(factor: 0.5, patience: 2, minimum: 0.01)
    var lr = 0.1
    for (m, expected) in zip((plateau["metrics"] as! [NSNumber]).map(\.doubleValue), (plateau["lr"] as! [NSNumber]).map(\.doubleValue)) {
      lr = p.step(metric: m, rate: lr)
      #expect(abs(lr - expected) < 1e-12)
    }
  }
}
