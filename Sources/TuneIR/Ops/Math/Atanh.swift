import TuneTensor

/// `Atanh`: y = atanh x.
/// https://onnx.ai/onnx/operators/onnx__Atanh.html
public struct Atanh: UnaryFloatOperator {
  public static let opType = "Atanh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.atanh(x) }
}
