import TuneTensor

/// `Mish`: y = x · tanh(softplus(x)).
/// https://onnx.ai/onnx/operators/onnx__Mish.html
public struct Mish: UnaryFloatOperator {
  public static let opType = "Mish"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x * T.tanh(x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x))) }
}
