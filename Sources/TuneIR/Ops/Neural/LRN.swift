import TuneTensor

/// ONNX `LRN` (local response normalization across channels):
/// `y = x / (bias + alpha / size · Σ x²)^beta`, the sum over channels
/// `[c − floor((size−1)/2), c + ceil((size−1)/2)]`.
/// https://onnx.ai/onnx/operators/onnx__LRN.html
public struct LRN: Operator {
  public static let opType = "LRN"
  public var alpha: Float
  public var beta: Float
  public var bias: Float
  public var size: Int

  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 1e-4)
    beta = try node.float("beta", default: 0.75)
    bias = try node.float("bias", default: 1)
    guard let s = try node.intIfPresent("size") else { throw OpError("attribute 'size' is required") }
    guard s > 0 else { throw OpError("size must be positive, got \(s)") }
    size = s
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    guard xIn.rank >= 2 else { throw OpError("X must be [N, C, ...], got \(xIn.shape)") }
    let batch = xIn.shape[0]
    let channels = xIn.shape[1]
    let plane = xIn.shape[2...].reduce(1, *)
    let x = try NeuralSupport.asFloat(xIn, "X")
    var y = Tensor(uninitialized: .float, shape: xIn.shape)
    let below = (size - 1) / 2
    let above = size - 1 - below
    let (alpha, beta, bias, size) = (self.alpha, self.beta, self.bias, self.size)
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        guard let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
        for n in 0..<batch {
          for c in 0..<channels {
            let lo = max(0, c - below)
            let hi = min(channels - 1, c + above)
            let out = yb + (n * channels + c) * plane
            let src = xb + (n * channels + c) * plane
            for i in 0..<plane {
              var sum: Float = 0
              for k in lo...hi {
                let v = xb[(n * channels + k) * plane + i]
                sum += v * v
              }
              out[i] = src[i] / powf(bias + alpha / Float(size) * sum, beta)
            }
          }
        }
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)]
  }
}

#if canImport(Glibc)
  import Glibc
#endif
