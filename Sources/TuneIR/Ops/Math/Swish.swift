import TuneTensor

/// `Swish`: y = x · sigmoid(alpha · x).
/// https://onnx.ai/onnx/operators/onnx__Swish.html
public struct Swish: DifferentiableUnaryFloatOperator {
  public static let opType = "Swish"
  public var alpha: Float
  public init(node: Node, opset: Int) throws { alpha = try node.float("alpha", default: 1) }
  public func apply<T: FloatScalar>(_ x: T) -> T {
    let z = T(alpha) * x
    return x * (z >= 0 ? 1 / (1 + T.exp(-z)) : T.exp(z) / (1 + T.exp(z)))
  }
  public func derivative(_ x: Float, _ y: Float) -> Float { swishDerivative(x) }

  func swishDerivative(_ x: Float) -> Float {
    let z = alpha * x
    let s = z >= 0 ? 1 / (1 + Float.exp(-z)) : Float.exp(z) / (1 + Float.exp(z))
    return s + z * s * (1 - s)
  }
}
