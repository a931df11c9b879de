import TuneTensor

/// `Cos`: y = cos x.
/// https://onnx.ai/onnx/operators/onnx__Cos.html
public struct Cos: UnaryFloatOperator {
  public static let opType = "Cos"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.cos(x) }
}
