import TuneTensor

/// `Mish`: y = x · tanh(softplus(x)).
/// https://onnx.ai/onnx/operators/onnx__Mish.html
public struct Mish: DifferentiableUnaryFloatOperator {
  public static let opType = "Mish"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x * T.tanh(x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x))) }
  public func derivative(_ x: Float, _ y: Float) -> Float { mishDerivative(x) }

  func mishDerivative(_ x: Float) -> Float {
    let softplus = x > 0 ? x + Float.log1p(Float.exp(-x)) : Float.log1p(Float.exp(x))
    let t = Float.tanh(softplus)
    let sigmoid = x >= 0 ? 1 / (1 + Float.exp(-x)) : Float.exp(x) / (1 + Float.exp(x))
    return t + x * (1 - t * t) * sigmoid
  }
}
