import TuneTensor

/// `Asin`: y = asin x.
/// https://onnx.ai/onnx/operators/onnx__Asin.html
public struct Asin: UnaryFloatOperator {
  public static let opType = "Asin"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.asin(x) }
}
