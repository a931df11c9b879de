import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// ONNX `Adam` (ai.onnx.preview.training, v1). Note ε is added to √H before the bias
/// correction, which is folded into the learning rate (unlike PyTorch's Adam):
///
///     G' = norm_coefficient·X + G
///     V' = α·V + (1 − α)·G'
///     H' = β·H + (1 − β)·G'²
///     R' = R·√(1 − βᵀ)/(1 − αᵀ) if T > 0 else R
///     X' = (1 − norm_coefficient_post)·(X − R'·V'/(√H' + ε))
public struct Adam: Operator {
  public static let opType = "Adam"
  public static let domain = "ai.onnx.preview.training"
  let alpha: Float
  let beta: Float
  let epsilon: Float
  let normCoefficient: Float
  let normCoefficientPost: Float

  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 0.9)
    beta = try node.float("beta", default: 0.999)
    epsilon = try node.float("epsilon", default: 1e-6)
    normCoefficient = try node.float("norm_coefficient", default: 0)
    normCoefficientPost = try node.float("norm_coefficient_post", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let (r, t) = try TrainingOpSupport.scalars(inputs, op: "Adam")
    let g = try TrainingOpSupport.groups(inputs, groups: 4, op: "Adam")
    let rate: Float =
      t > 0 ? Float(Double(r) * (1 - pow(Double(beta), Double(t))).squareRoot() / (1 - pow(Double(alpha), Double(t)))) : r
    var xs: [Tensor] = []
    var vs: [Tensor] = []
    var hs: [Tensor] = []
    for i in g[0].indices {
      let x = g[0][i].elements(as: Float.self)
      let grad = g[1][i].elements(as: Float.self)
      let v = g[2][i].elements(as: Float.self)
      let h = g[3][i].elements(as: Float.self)
      var xNew = x
      var vNew = v
      var hNew = h
      for k in x.indices {
        let gr = normCoefficient * x[k] + grad[k]
        vNew[k] = alpha * v[k] + (1 - alpha) * gr
        hNew[k] = beta * h[k] + (1 - beta) * gr * gr
        xNew[k] = (1 - normCoefficientPost) * (x[k] - rate * vNew[k] / (hNew[k].squareRoot() + epsilon))
      }
      let shape = g[0][i].shape
      xs.append(Tensor(xNew, shape: shape))
      vs.append(Tensor(vNew, shape: shape))
      hs.append(Tensor(hNew, shape: shape))
    }
    return xs + vs + hs
  }
}
