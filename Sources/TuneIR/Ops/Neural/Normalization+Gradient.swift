import TuneTensor

/// The normalization gradient shared by LayerNormalization and InstanceNormalization: for one
/// group of n values normalized together (x̂ = (x − μ)·r, r = 1/√(σ² + ε)) and per-element
/// scale γ, with g = ∂Y·γ:  ∂X = r·(g − mean(g) − x̂·mean(g·x̂)).
enum NormalizationGradient {
  static func group(
    x: UnsafePointer<Float>, dy: UnsafePointer<Float>, scale: (Int) -> Float, count n: Int, epsilon: Float,
    dx: UnsafeMutablePointer<Float>, xhat: UnsafeMutablePointer<Float>
  ) {
    var s = 0.0
    for i in 0..<n { s += Double(x[i]) }
    let mu = s / Double(n)
    var ss = 0.0
    for i in 0..<n { let d = Double(x[i]) - mu; ss += d * d }
    let r = Float(1 / (ss / Double(n) + Double(epsilon)).squareRoot())
    var meanG = 0.0
    var meanGX = 0.0
    for i in 0..<n {
      xhat[i] = (x[i] - Float(mu)) * r
      let g = dy[i] * scale(i)
      meanG += Double(g)
      meanGX += Double(g * xhat[i])
    }
    let mg = Float(meanG / Double(n))
    let mgx = Float(meanGX / Double(n))
    for i in 0..<n { dx[i] = r * (dy[i] * scale(i) - mg - xhat[i] * mgx) }
  }
}

/// Gradient of `LayerNormalization` over the axes from `axis` on: ∂X per row as above,
/// ∂Scale = Σ_rows ∂Y·x̂, ∂B = Σ_rows ∂Y (Scale and B broadcast over the normalized shape).
extension LayerNormalization: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let scaleIn = try GradientSupport.float(inputs[1], "Scale")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    if outputGradients.dropFirst().contains(where: { $0 != nil }) {
      throw OpError("gradients through LayerNormalization's Mean and InvStdDev outputs are not supported")
    }
    let a = axis < 0 ? axis + x.rank : axis
    let normalized = Array(x.shape[a...])
    let length = normalized.reduce(1, *)
    let rows = x.count / max(length, 1)
    // Scale and B broadcast to the normalized shape: offsets of each element in each.
    func offsets(_ shape: [Int]) -> [Int] {
      let full = Array(repeating: 1, count: normalized.count - shape.count) + shape
      let strides = Broadcast.strides(of: full, broadcastTo: normalized)
      return (0..<length).map { i in
        var rest = i
        var off = 0
        for d in stride(from: normalized.count - 1, through: 0, by: -1) {
          off += (rest % normalized[d]) * strides[d]
          rest /= normalized[d]
        }
        return off
      }
    }
    let scaleMap = offsets(scaleIn.shape)
    let bias = inputs.count > 2 ? inputs[2] : nil
    let biasMap = bias.map { offsets($0.shape) } ?? []
    let scale = scaleIn.elements(as: Float.self)
    var dx = Tensor(uninitialized: .float, shape: x.shape)
    var dScale = [Float](repeating: 0, count: scale.count)
    var dBias = [Float](repeating: 0, count: bias?.count ?? 0)
    var xhat = [Float](repeating: 0, count: length)
    x.withElements(as: Float.self) { xp in
      dy.withElements(as: Float.self) { g in
        dx.withMutableElements(as: Float.self) { d in
          xhat.withUnsafeMutableBufferPointer { xh in
            for r in 0..<rows {
              let base = r * length
              NormalizationGradient.group(
                x: xp.baseAddress! + base, dy: g.baseAddress! + base, scale: { scale[scaleMap[$0]] }, count: length,
                epsilon: epsilon, dx: d.baseAddress! + base, xhat: xh.baseAddress!)
              for i in 0..<length {
                dScale[scaleMap[i]] += g[base + i] * xh[i]
                if !biasMap.isEmpty { dBias[biasMap[i]] += g[base + i] }
              }
            }
          }
        }
      }
    }
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    if needed[0] { result[0] = dx }
    if needed.count > 1, needed[1] { result[1] = Tensor(dScale, shape: scaleIn.shape) }
    if needed.count > 2, needed[2], let b = bias { result[2] = Tensor(dBias, shape: b.shape) }
    return result
  }
}

/// Gradient of `InstanceNormalization`: each (image, channel) plane normalizes on its own;
/// ∂scale_c = Σ ∂Y·x̂ and ∂B_c = Σ ∂Y over images and positions.
extension InstanceNormalization: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "input")
    let scale = try GradientSupport.float(inputs[1], "scale").elements(as: Float.self)
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let channels = x.shape[1]
    let planes = x.shape[0] * channels
    let plane = x.count / max(planes, 1)
    var dx = Tensor(uninitialized: .float, shape: x.shape)
    var dScale = [Float](repeating: 0, count: channels)
    var dBias = [Float](repeating: 0, count: channels)
    var xhat = [Float](repeating: 0, count: plane)
    x.withElements(as: Float.self) { xp in
      dy.withElements(as: Float.self) { g in
        dx.withMutableElements(as: Float.self) { d in
          xhat.withUnsafeMutableBufferPointer { xh in
            for p in 0..<planes {
              let c = p % channels
              let base = p * plane
              NormalizationGradient.group(
                x: xp.baseAddress! + base, dy: g.baseAddress! + base, scale: { _ in scale[c] }, count: plane,
                epsilon: epsilon, dx: d.baseAddress! + base, xhat: xh.baseAddress!)
              for i in 0..<plane {
                dScale[c] += g[base + i] * xh[i]
                dBias[c] += g[base + i]
              }
            }
          }
        }
      }
    }
    return [needed[0] ? dx : nil, needed[1] ? Tensor(dScale, shape: [channels]) : nil, needed[2] ? Tensor(dBias, shape: [channels]) : nil]
  }
}
