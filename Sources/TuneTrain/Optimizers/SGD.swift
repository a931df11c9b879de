/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// with PyTorch's `torch.optim.SGD` semantics:
///
///     g ← g + λ·θ                      (weight decay λ, L2)
///     b ← g                  on the first step,
///     b ← μ·b + (1 − τ)·g    afterwards  (momentum μ, dampening τ)
///     g ← g + μ·b  (Nesterov)   or   g ← b
///     θ ← θ − η·g
///
/// This is also ONNX's `Momentum` rule (`alpha` = μ, `beta` = 1 − τ, `norm_coefficient` = λ).
public struct SGD: Optimizer {
  public var momentum: Float
  public var dampening: Float
  public var nesterov: Bool
  public var weightDecay: Float

  public init(momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false, weightDecay: Float = 0) {
    self.momentum = momentum
    self.dampening = dampening
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  public var name: String { nesterov ? "sgd-nesterov" : "sgd" }
  public var slotCount: Int { momentum == 0 ? 0 : 1 }

  public func update(
    parameter: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
    slots: [UnsafeMutableBufferPointer<Float>], learningRate: Float, step: Int
  ) {
    let lr = learningRate
    let wd = weightDecay
    if momentum == 0 {
      for i in parameter.indices { parameter[i] -= lr * (gradient[i] + wd * parameter[i]) }
      return
    }
    let b = slots[0]
    let mu = momentum
    let keep = step == 1 ? 1 : 1 - dampening
    for i in parameter.indices {
      let g = gradient[i] + wd * parameter[i]
      let bi = step == 1 ? g : mu * b[i] + keep * g
      b[i] = bi
      parameter[i] -= lr * (nesterov ? g + mu * bi : bi)
    }
  }
}
