#if canImport(Glibc)
  import Glibc
#endif

/// The learning rate as training goes on.
///
/// `constant`, `step` and `cosine` are functions of the step (or epoch) counter; `plateau`
/// reacts to a validation metric and keeps state, so it is a class (`ReduceOnPlateau`).
public enum LearningRateSchedule: Sendable, Equatable {
  /// η at every step.
  case constant
  /// η · γ^⌊t / stepSize⌋ (PyTorch `StepLR`).
  case step(stepSize: Int, gamma: Double)
  /// Linear warm-up from η/W to η over the first W steps, then cosine annealing to `minimum`
  /// at step `total` (PyTorch `CosineAnnealingLR` after the warm-up):
  /// η_min + (η − η_min)·(1 + cos(π·(t − W)/(T − W)))/2, held at η_min after T.
  case cosine(warmup: Int, total: Int, minimum: Double)

  /// The learning rate at 0-based step `t` for base rate `base`.
  public func rate(base: Double, at t: Int) -> Double {
    switch self {
    case .constant: return base
    case .step(let size, let gamma): return base * pow(gamma, Double(t / max(size, 1)))
    case .cosine(let warmup, let total, let minimum):
      if t < warmup { return base * Double(t + 1) / Double(warmup) }
      let span = max(total - warmup, 1)
      let progress = min(Double(t - warmup) / Double(span), 1)
      return minimum + (base - minimum) * (1 + cos(Double.pi * progress)) / 2
    }
  }
}

/// Reduce the learning rate when a metric stops improving (PyTorch `ReduceLROnPlateau`,
/// mode `min`, relative threshold): after more than `patience` epochs without the metric
/// falling below `best · (1 − threshold)`, multiply the rate by `factor` (not below `minimum`).
public struct ReduceOnPlateau: Sendable, Equatable {
  public var factor: Double
  public var patience: Int
  public var threshold: Double
  public var minimum: Double
  public private(set) var best: Double = .infinity
  public private(set) var badEpochs = 0

  public init(factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4, minimum: Double = 0) {
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.minimum = minimum
  }

  mutating func restore(best: Double, badEpochs: Int) {
    self.best = best
    self.badEpochs = badEpochs
  }

  /// Records `metric` and returns the (possibly reduced) learning rate.
  public mutating func step(metric: Double, rate: Double) -> Double {
    if metric < best * (1 - threshold) {
      best = metric
      badEpochs = 0
      return rate
    }
    badEpochs += 1
    if badEpochs > patience {
      badEpochs = 0
      let reduced = max(rate * factor, minimum)
      // PyTorch skips changes smaller than eps = 1e-8.
      return rate - reduced > 1e-8 ? reduced : rate
    }
    return rate
  }
}
