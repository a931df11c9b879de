import TuneTensor

/// ONNX `Momentum` (ai.onnx.preview.training, v1): SGD with momentum, standard or Nesterov.
///
///     G' = norm_coefficient·X + G
///     β' = β if T > 0 else 1
///     V' = α·V + β'·G'
///     X' = X − R·V'                (mode "standard")
///     X' = X − R·(G' + α·V')       (mode "nesterov")
public struct Momentum: Operator {
  public static let opType = "Momentum"
  public static let domain = "ai.onnx.preview.training"
  let alpha: Float
  let beta: Float
  let normCoefficient: Float
  let nesterov: Bool

  public init(node: Node, opset: Int) throws {
    guard let a = try node.floatIfPresent("alpha"), let b = try node.floatIfPresent("beta"),
      let mode = try node.stringIfPresent("mode"), let n = try node.floatIfPresent("norm_coefficient")
    else { throw OpError("Momentum needs attributes alpha, beta, mode and norm_coefficient") }
    guard mode == "standard" || mode == "nesterov" else {
      throw OpError("Momentum mode must be 'standard' or 'nesterov', got '\(mode)'")
    }
    alpha = a
    beta = b
    normCoefficient = n
    nesterov = mode == "nesterov"
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let (r, t) = try TrainingOpSupport.scalars(inputs, op: "Momentum")
    let g = try TrainingOpSupport.groups(inputs, groups: 3, op: "Momentum")
    var xs: [Tensor] = []
    var vs: [Tensor] = []
    let betaAdjusted = t > 0 ? beta : 1
    for i in g[0].indices {
      let x = g[0][i].elements(as: Float.self)
      let grad = g[1][i].elements(as: Float.self)
      let v = g[2][i].elements(as: Float.self)
      var xNew = x
      var vNew = v
      for k in x.indices {
        let gr = normCoefficient * x[k] + grad[k]
        vNew[k] = alpha * v[k] + betaAdjusted * gr
        xNew[k] = x[k] - r * (nesterov ? gr + alpha * vNew[k] : vNew[k])
      }
      xs.append(Tensor(xNew, shape: g[0][i].shape))
      vs.append(Tensor(vNew, shape: g[0][i].shape))
    }
    return xs + vs
  }
}
