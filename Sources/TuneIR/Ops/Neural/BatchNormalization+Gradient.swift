import TuneTensor

/// BatchNormalization in training: normalizes with the batch's per-channel mean μ and biased
/// variance σ², saves μ and 1/√(σ² + ε), and updates the running statistics as PyTorch does,
/// `running = momentum·running + (1 − momentum)·batch` with the *unbiased* variance
/// (n/(n − 1)·σ²) for the running variance (ONNX's momentum is 1 − PyTorch's).
///
/// Gradient (training mode, N = batch·spatial per channel, x̂ the normalized input):
///   ∂B = Σ ∂Y, ∂scale = Σ ∂Y·x̂, ∂X = scale/(N·√(σ² + ε))·(N·∂Y − ∂B − x̂·∂scale).
/// In inference mode (a frozen BatchNormalization) the op is affine:
///   ∂X = ∂Y·scale/√(var + ε), ∂scale = Σ ∂Y·(X − mean)/√(var + ε), ∂B = Σ ∂Y.
extension BatchNormalization: RunningStatisticsOperator {
  public func forwardForTraining(_ inputs: [Tensor?], context: ExecutionContext) throws -> (
    outputs: [Tensor], saved: [Tensor]
  ) {
    guard context.training else { return (try forward(inputs, context: context), []) }
    let x = try GradientSupport.float(inputs[0], "X")
    let scale = try GradientSupport.float(inputs[1], "scale").elements(as: Float.self)
    let bias = try GradientSupport.float(inputs[2], "B").elements(as: Float.self)
    guard x.rank >= 2, scale.count == x.shape[1], bias.count == x.shape[1] else {
      throw OpError("training needs X [N, C, ...] and per-channel scale and B, got \(x.shape), \(scale.count), \(bias.count)")
    }
    let n = x.shape[0]
    let c = x.shape[1]
    let plane = x.count / max(n * c, 1)
    let count = Double(n * plane)
    guard count > 1 else { throw OpError("batch statistics need more than one value per channel, got shape \(x.shape)") }
    var mean = [Float](repeating: 0, count: c)
    var invstd = [Float](repeating: 0, count: c)
    var variance = [Float](repeating: 0, count: c)
    var y = Tensor(uninitialized: .float, shape: x.shape)
    x.withElements(as: Float.self) { xp in
      for ch in 0..<c {
        var s = 0.0
        for b in 0..<n { let base = (b * c + ch) * plane; for p in 0..<plane { s += Double(xp[base + p]) } }
        let mu = s / count
        var ss = 0.0
        for b in 0..<n { let base = (b * c + ch) * plane; for p in 0..<plane { let d = Double(xp[base + p]) - mu; ss += d * d } }
        mean[ch] = Float(mu)
        variance[ch] = Float(ss / count)
        invstd[ch] = Float(1 / (ss / count + Double(epsilon)).squareRoot())
      }
      y.withMutableElements(as: Float.self) { yp in
        for b in 0..<n {
          for ch in 0..<c {
            let base = (b * c + ch) * plane
            let mul = scale[ch] * invstd[ch]
            let add = bias[ch] - mean[ch] * mul
            for p in 0..<plane { yp[base + p] = xp[base + p] * mul + add }
          }
        }
      }
    }
    let unbiased = variance.map { Float(Double($0) * count / (count - 1)) }
    return ([y], [Tensor(mean, shape: [c]), Tensor(invstd, shape: [c]), Tensor(unbiased, shape: [c])])
  }

  public func runningStatisticsUpdates(inputs: [Tensor?], saved: [Tensor]) -> [(input: Int, value: Tensor)] {
    guard saved.count == 3, let rm = inputs[3], let rv = inputs[4], rm.dtype == .float, rv.dtype == .float else { return [] }
    let m = momentum
    let newMean = zip(rm.elements(as: Float.self), saved[0].elements(as: Float.self)).map { m * $0 + (1 - m) * $1 }
    let newVar = zip(rv.elements(as: Float.self), saved[2].elements(as: Float.self)).map { m * $0 + (1 - m) * $1 }
    return [(3, Tensor(newMean, shape: rm.shape)), (4, Tensor(newVar, shape: rv.shape))]
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let scale = try GradientSupport.float(inputs[1], "scale").elements(as: Float.self)
    let n = x.shape[0]
    let c = x.shape[1]
    let plane = x.count / max(n * c, 1)
    guard scale.count == c else { throw OpError("gradient needs per-channel statistics, got \(scale.count) for \(c) channels") }
    let mean: [Float]
    let invstd: [Float]
    let training = saved.count == 3
    if training {
      mean = saved[0].elements(as: Float.self)
      invstd = saved[1].elements(as: Float.self)
    } else {
      mean = try GradientSupport.float(inputs[3], "input_mean").elements(as: Float.self)
      invstd = try GradientSupport.float(inputs[4], "input_var").elements(as: Float.self).map { 1 / ($0 + epsilon).squareRoot() }
    }
    var dScale = [Float](repeating: 0, count: c)
    var dBias = [Float](repeating: 0, count: c)
    var dx = Tensor(uninitialized: .float, shape: x.shape)
    x.withElements(as: Float.self) { xp in
      dy.withElements(as: Float.self) { g in
        for ch in 0..<c {
          var sb = 0.0
          var ss = 0.0
          for b in 0..<n {
            let base = (b * c + ch) * plane
            for p in 0..<plane {
              sb += Double(g[base + p])
              ss += Double(g[base + p]) * Double((xp[base + p] - mean[ch]) * invstd[ch])
            }
          }
          dBias[ch] = Float(sb)
          dScale[ch] = Float(ss)
        }
        dx.withMutableElements(as: Float.self) { d in
          let count = Float(n * plane)
          for b in 0..<n {
            for ch in 0..<c {
              let base = (b * c + ch) * plane
              let k = scale[ch] * invstd[ch]
              if training {
                for p in 0..<plane {
                  let xhat = (xp[base + p] - mean[ch]) * invstd[ch]
                  d[base + p] = k / count * (count * g[base + p] - dBias[ch] - xhat * dScale[ch])
                }
              } else {
                for p in 0..<plane { d[base + p] = g[base + p] * k }
              }
            }
          }
        }
      }
    }
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    if needed[0] { result[0] = dx }
    if needed.count > 1, needed[1] { result[1] = Tensor(dScale, shape: inputs[1]!.shape) }
    if needed.count > 2, needed[2] { result[2] = Tensor(dBias, shape: inputs[2]!.shape) }
    return result
  }
}
