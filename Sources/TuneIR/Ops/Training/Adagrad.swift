import TuneTensor

/// ONNX `Adagrad` (ai.onnx.preview.training, v1):
///
///     R' = R / (1 + T·decay_factor)
///     G' = norm_coefficient·X + G
///     H' = H + G'²
///     X' = X − R'·G'/(√H' + ε)
public struct Adagrad: Operator {
  public static let opType = "Adagrad"
  public static let domain = "ai.onnx.preview.training"
  let decayFactor: Float
  let epsilon: Float
  let normCoefficient: Float

  public init(node: Node, opset: Int) throws {
    decayFactor = try node.float("decay_factor", default: 0)
    epsilon = try node.float("epsilon", default: 0)
    normCoefficient = try node.float("norm_coefficient", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let (r, t) = try TrainingOpSupport.scalars(inputs, op: "Adagrad")
    let g = try TrainingOpSupport.groups(inputs, groups: 3, op: "Adagrad")
    let rate = r / (1 + Float(t) * decayFactor)
    var xs: [Tensor] = []
    var hs: [Tensor] = []
    for i in g[0].indices {
      let x = g[0][i].elements(as: Float.self)
      let grad = g[1][i].elements(as: Float.self)
      let h = g[2][i].elements(as: Float.self)
      var xNew = x
      var hNew = h
      for k in x.indices {
        let gr = normCoefficient * x[k] + grad[k]
        hNew[k] = h[k] + gr * gr
        xNew[k] = x[k] - rate * gr / (hNew[k].squareRoot() + epsilon)
      }
      xs.append(Tensor(xNew, shape: g[0][i].shape))
      hs.append(Tensor(hNew, shape: g[0][i].shape))
    }
    return xs + hs
  }
}
