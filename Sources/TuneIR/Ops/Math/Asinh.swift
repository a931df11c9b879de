import TuneTensor

/// `Asinh`: y = asinh x.
/// https://onnx.ai/onnx/operators/onnx__Asinh.html
public struct Asinh: UnaryFloatOperator {
  public static let opType = "Asinh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.asinh(x) }
}
