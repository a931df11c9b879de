import TuneTensor

/// Adam (Kingma & Ba, 2015) with PyTorch's `torch.optim.Adam` / `AdamW` semantics:
///
///     g ← g + λ·θ                       (Adam's L2 weight decay, when not decoupled)
///     θ ← θ·(1 − η·λ)                   (AdamW's decoupled weight decay, Loshchilov & Hutter)
///     m ← β₁·m + (1 − β₁)·g
///     v ← β₂·v + (1 − β₂)·g²
///     θ ← θ − η · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
public struct Adam: Optimizer {
  public var beta1: Float
  public var beta2: Float
  public var epsilon: Float
  public var weightDecay: Float
  /// Decoupled weight decay (AdamW) instead of L2 added to the gradient.
  public var decoupledWeightDecay: Bool

  public init(
    beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0,
    decoupledWeightDecay: Bool = false
  ) {
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupledWeightDecay = decoupledWeightDecay
  }

  public var name: String { decoupledWeightDecay ? "adamw" : "adam" }
  public var slotCount: Int { 2 }

  public func update(
    parameter: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
    slots: [UnsafeMutableBufferPointer<Float>], learningRate: Float, step: Int
  ) {
    let m = slots[0]
    let v = slots[1]
    let b1 = beta1
    let b2 = beta2
    // Bias corrections in double precision, as PyTorch computes them on the host.
    let c1 = Float(1 - pow(Double(b1), Double(step)))
    let c2sqrt = Float((1 - pow(Double(b2), Double(step))).squareRoot())
    let stepSize = learningRate / c1
    let l2 = decoupledWeightDecay ? 0 : weightDecay
    let decay = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
    let eps = epsilon
    // Element by element (the same values however the range is split), over the workers: on
    // ResNet-18 (11M weights, seven arrays read or written) the update was 7% of a training step.
    ParallelKernels.runRanges(parameter.count, cost: 8) { range in
      for i in range {
        let g = gradient[i] + l2 * parameter[i]
        let mi = b1 * m[i] + (1 - b1) * g
        let vi = b2 * v[i] + (1 - b2) * g * g
        m[i] = mi
        v[i] = vi
        let denominator = vi.squareRoot() / c2sqrt + eps
        parameter[i] = parameter[i] * decay - stepSize * mi / denominator
      }
    }
  }
}

/// AdamW: Adam with decoupled weight decay (default λ = 0.01, as in PyTorch).
public func AdamW(
  beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.01
) -> Adam {
  Adam(beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupledWeightDecay: true)
}

#if canImport(Glibc)
  import Glibc
#endif
