import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// A gradient-descent rule applied to one parameter at a time.
///
/// Optimizers are per-parameter pure steps: `(parameter, gradient, state) → (parameter, state)`,
/// with the state created lazily, zeroed, on a parameter's first step (mlx-swift's
/// `applySingle`). Frozen weights never reach an optimizer. The state is a list of tensors
/// shaped like the parameter plus a step count, so checkpoints can save and restore it.
public protocol Optimizer: Sendable {
  /// A short name for reports and checkpoints, e.g. `"adamw"`.
  var name: String { get }
  /// How many state tensors (shaped like the parameter) the rule keeps per parameter.
  var slotCount: Int { get }
  /// Updates `parameter` in place from `gradient` at learning rate `learningRate`.
  /// `step` is this parameter's 1-based step number (after incrementing).
  func update(
    parameter: UnsafeMutableBufferPointer<Float>, gradient: UnsafeBufferPointer<Float>,
    slots: [UnsafeMutableBufferPointer<Float>], learningRate: Float, step: Int)
}

/// What an optimizer keeps for one parameter between steps.
public struct OptimizerState: Sendable {
  /// Steps taken on this parameter.
  public var step: Int
  /// The rule's state tensors (momentum buffers, moment estimates), shaped like the parameter.
  public var slots: [Tensor]

  public init(step: Int = 0, slots: [Tensor]) {
    self.step = step
    self.slots = slots
  }
}

extension Optimizer {
  /// One step on a parameter tensor, creating its state on first use.
  ///
  /// The parameter and its state are updated in place when each holds its buffer alone (as the
  /// trainer's are after the first step); a buffer shared with another tensor (a caller's model,
  /// a snapshot) or wrapping memory owned elsewhere is copied first, so that no other value
  /// changes (`Tensor.makeUnique()`).
  ///
  /// ```swift
  /// var state: OptimizerState? = nil
  /// let adamw = AdamW(weightDecay: 0.01)
  /// adamw.apply(parameter: &weight, gradient: grad, state: &state, learningRate: 1e-3)
  /// ```
  public func apply(
    parameter: inout Tensor, gradient: Tensor, state: inout OptimizerState?, learningRate: Float
  ) {
    precondition(parameter.dtype == .float && gradient.dtype == .float && parameter.count == gradient.count)
    if state == nil {
      state = OptimizerState(slots: (0..<slotCount).map { _ in Tensor(zeros: .float, shape: parameter.shape) })
    }
    state!.step += 1
    let step = state!.step
    for i in state!.slots.indices { state!.slots[i].makeUnique() }
    let slotPointers = state!.slots.map {
      UnsafeMutableBufferPointer(start: $0.buffer.pointer.assumingMemoryBound(to: Float.self), count: $0.count)
    }
    parameter.withMutableElements(as: Float.self) { p in
      gradient.withElements(as: Float.self) { g in
        update(parameter: p, gradient: g, slots: slotPointers, learningRate: learningRate, step: step)
      }
    }
  }
}

/// Scales gradients in place so that their global L2 norm is at most `maxNorm`, the way
/// `torch.nn.utils.clip_grad_norm_` does: `scale = min(1, maxNorm / (norm + 1e-6))`.
/// Returns the norm before clipping (computed in double precision).
@discardableResult
public func clipGradientsByGlobalNorm(_ gradients: inout [Tensor], maxNorm: Float) -> Float {
  var sum = 0.0
  for g in gradients {
    g.withElements(as: Float.self) { p in for v in p { sum += Double(v) * Double(v) } }
  }
  let norm = Float(sum.squareRoot())
  let scale = maxNorm / (norm + 1e-6)
  if scale < 1 {
    for i in gradients.indices {
      gradients[i].withMutableElements(as: Float.self) { p in
        for j in p.indices { p[j] *= scale }
      }
    }
  }
  return norm
}
