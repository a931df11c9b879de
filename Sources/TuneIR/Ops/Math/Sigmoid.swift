import TuneTensor

/// `Sigmoid`: y = 1 / (1 + e^-x), computed without overflow.
/// https://onnx.ai/onnx/operators/onnx__Sigmoid.html
public struct Sigmoid: UnaryFloatOperator {
  public static let opType = "Sigmoid"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x >= 0 ? 1 / (1 + T.exp(-x)) : T.exp(x) / (1 + T.exp(x)) }
}
