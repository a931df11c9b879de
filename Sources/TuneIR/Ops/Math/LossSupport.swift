import TuneTensor

/// The negative log-likelihood shared by NegativeLogLikelihoodLoss and
/// SoftmaxCrossEntropyLoss: inputs of shape [N, C, d1, …, dk] (log-probabilities), int
/// targets [N, d1, …, dk], optional per-class `weight` [C]; `reduction` "none", "sum" or
/// "mean" (Σ w·loss / Σ w), and targets equal to `ignore_index` contribute nothing.
struct ClassificationLoss {
  var reduction: String
  var ignoreIndex: Int?

  init(node: Node) throws {
    reduction = try node.string("reduction", default: "mean")
    guard ["none", "sum", "mean"].contains(reduction) else {
      throw OpError("attribute 'reduction' should be none, sum or mean, got \(reduction)")
    }
    ignoreIndex = try node.intIfPresent("ignore_index")
  }

  /// The loss of `logProb` (float, [N, C, …]) against `target`, in `dtype`.
  func loss(_ logProb: Tensor, _ target: Tensor, _ weight: Tensor?, dtype: DType) throws -> Tensor {
    let shape = logProb.shape
    guard shape.count >= 2 else {
      throw OpError("expected input of shape [N, C, ...], got \(shape)")
    }
    guard target.dtype == .int64 || target.dtype == .int32 else {
      throw OpError("expected int32 or int64 targets, got \(target.dtype)")
    }
    let expectedTarget = [shape[0]] + shape[2...]
    guard target.shape == expectedTarget else {
      throw OpError("expected target of shape \(expectedTarget) for input \(shape), got \(target.shape)")
    }
    let (n, c) = (shape[0], shape[1])
    let d = shape[2...].reduce(1, *)
    let weights: [Float]? = try weight.map {
      guard $0.count == c, $0.rank == 1 else {
        throw OpError("expected weight of shape [\(c)], got \($0.shape)")
      }
      return $0.floatValues()
    }
    let targets = target.int64Values()
    let x = logProb.elements(as: Float.self)
    var losses = [Float](repeating: 0, count: n * d)
    var lossSum = 0.0
    var weightSum = 0.0
    for i in 0..<n {
      for j in 0..<d {
        let t = Int(targets[i * d + j])
        if let ignore = ignoreIndex, t == ignore { continue }
        guard t >= 0, t < c else { throw OpError("target \(t) is out of range for \(c) classes") }
        let w = weights?[t] ?? 1
        let l = -x[(i * c + t) * d + j] * w
        losses[i * d + j] = l
        lossSum += Double(l)
        weightSum += Double(w)
      }
    }
    let result: Tensor
    switch reduction {
    case "none": result = Tensor(losses, shape: target.shape)
    case "sum": result = Tensor(scalar: Float(lossSum))
    default: result = Tensor(scalar: Float(lossSum / weightSum))
    }
    return try Cast.convert(result, to: dtype)
  }
}
