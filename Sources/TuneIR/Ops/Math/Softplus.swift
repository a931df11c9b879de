import TuneTensor

/// `Softplus`: y = ln(1 + e^x), computed without overflow.
/// https://onnx.ai/onnx/operators/onnx__Softplus.html
public struct Softplus: UnaryFloatOperator {
  public static let opType = "Softplus"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x)) }
}
