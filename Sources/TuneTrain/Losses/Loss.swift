import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// A training loss: its value and its gradient with respect to the model's output, both computed
/// outside the model graph (so the loss and the labels can never leak into an export).
public protocol Loss: Sendable {
  var name: String { get }
  /// Mean loss over the batch and ∂loss/∂output, shaped like `output`.
  func evaluate(output: Tensor, targets: LossTargets) throws -> (loss: Float, gradient: Tensor)
}

/// What a loss compares the model's output with.
public enum LossTargets: Sendable {
  /// One class index per example (for softmax cross-entropy).
  case classes([Int])
  /// A tensor shaped like the output (for binary cross-entropy and mean squared error).
  case values(Tensor)
}

/// A loss given bad targets: names what was expected.
public struct LossError: Error, CustomStringConvertible, Sendable {
  public var description: String
  public init(_ description: String) { self.description = description }
}

/// Softmax cross-entropy on integer labels over logits `[N, C]` (or `[N, C, 1, 1]`), with
/// PyTorch's `cross_entropy` semantics, including label smoothing ε and class weights w:
///
///     ℓᵢ = (1 − ε)·w_{yᵢ}·(−log pᵢ,yᵢ) + (ε/C)·Σ_c w_c·(−log pᵢ,c)
///     loss = Σᵢ ℓᵢ / Σᵢ w_{yᵢ}
///
/// computed with a max-shifted log-sum-exp so that extreme logits stay finite.
public struct SoftmaxCrossEntropy: Loss {
  public var labelSmoothing: Float
  public var classWeights: [Float]?

  public init(labelSmoothing: Float = 0, classWeights: [Float]? = nil) {
    self.labelSmoothing = labelSmoothing
    self.classWeights = classWeights
  }

  public var name: String { "softmax_cross_entropy" }

  public func evaluate(output: Tensor, targets: LossTargets) throws -> (loss: Float, gradient: Tensor) {
    guard case .classes(let labels) = targets else {
      throw LossError("softmax cross-entropy needs integer class labels")
    }
    guard output.dtype == .float, output.rank >= 2, output.shape[2...].allSatisfy({ $0 == 1 }) else {
      throw LossError("softmax cross-entropy needs float logits shaped [batch, classes], got \(output.dtype)\(output.shape)")
    }
    let n = output.shape[0]
    let c = output.shape[1]
    guard labels.count == n else {
      throw LossError("\(labels.count) labels for a batch of \(n)")
    }
    if let bad = labels.first(where: { $0 < 0 || $0 >= c }) {
      throw LossError("label \(bad) is outside the \(c) classes 0...\(c - 1)")
    }
    if let w = classWeights, w.count != c {
      throw LossError("\(w.count) class weights for \(c) classes")
    }
    let eps = labelSmoothing
    let weights = classWeights ?? [Float](repeating: 1, count: c)
    let weightSum = weights.reduce(0, +)
    var gradient = Tensor(zeros: .float, shape: output.shape)
    var total = 0.0
    var normalizer = 0.0
    var probabilities = [Float](repeating: 0, count: c)
    output.withElements(as: Float.self) { x in
      gradient.withMutableElements(as: Float.self) { g in
        for i in 0..<n {
          let row = x.baseAddress! + i * c
          var maximum = -Float.infinity
          for j in 0..<c { maximum = max(maximum, row[j]) }
          var sum = 0.0
          for j in 0..<c { sum += Double(expf(row[j] - maximum)) }
          let logSum = Float(log(sum)) + maximum
          for j in 0..<c { probabilities[j] = expf(row[j] - logSum) }
          let y = labels[i]
          let wy = weights[y]
          var smooth = 0.0
          if eps > 0 { for j in 0..<c { smooth += Double(weights[j]) * Double(logSum - row[j]) } }
          total += Double(1 - eps) * Double(wy) * Double(logSum - row[y]) + Double(eps) / Double(c) * smooth
          normalizer += Double(wy)
          let out = g.baseAddress! + i * c
          for j in 0..<c {
            let hard = (1 - eps) * wy * (probabilities[j] - (j == y ? 1 : 0))
            let soft = eps / Float(c) * (weightSum * probabilities[j] - weights[j])
            out[j] = hard + soft
          }
        }
        let scale = Float(1 / normalizer)
        for j in g.indices { g[j] *= scale }
      }
    }
    return (Float(total / normalizer), gradient)
  }
}

/// Binary cross-entropy on logits, averaged over every element (PyTorch
/// `binary_cross_entropy_with_logits`): max(x, 0) − x·y + log(1 + e^(−|x|)); gradient
/// (σ(x) − y)/count.
public struct BinaryCrossEntropyWithLogits: Loss {
  public init() {}
  public var name: String { "binary_cross_entropy" }

  public func evaluate(output: Tensor, targets: LossTargets) throws -> (loss: Float, gradient: Tensor) {
    try elementwiseLoss(output, targets, what: "binary cross-entropy") { x, t, count in
      (Double(max(x, 0) - x * t + log1pf(expf(-abs(x)))), (1 / (1 + expf(-x)) - t) / count)
    }
  }
}

/// Mean squared error, averaged over every element: mean((x − y)²); gradient 2(x − y)/count.
public struct MeanSquaredError: Loss {
  public init() {}
  public var name: String { "mean_squared_error" }

  public func evaluate(output: Tensor, targets: LossTargets) throws -> (loss: Float, gradient: Tensor) {
    try elementwiseLoss(output, targets, what: "mean squared error") { x, t, count in
      let d = x - t
      return (Double(d * d), 2 * d / count)
    }
  }
}

/// A loss that is the mean of a per-element term: `term(x, y, count)` gives the element's
/// loss and its gradient (already divided by the count).
private func elementwiseLoss(
  _ output: Tensor, _ targets: LossTargets, what: String, term: (Float, Float, Float) -> (Double, Float)
) throws -> (loss: Float, gradient: Tensor) {
  guard case .values(let y) = targets, y.shape == output.shape, y.dtype == .float, output.dtype == .float else {
    throw LossError("\(what) needs float targets shaped like the output \(output.shape)")
  }
  var gradient = Tensor(zeros: .float, shape: output.shape)
  let count = output.count
  var total = 0.0
  output.withElements(as: Float.self) { x in
    y.withElements(as: Float.self) { t in
      gradient.withMutableElements(as: Float.self) { g in
        for i in 0..<count {
          let (l, d) = term(x[i], t[i], Float(count))
          total += l
          g[i] = d
        }
      }
    }
  }
  return (Float(total / Double(max(count, 1))), gradient)
}
