import TuneTensor

/// `Sinh`: y = sinh x.
/// https://onnx.ai/onnx/operators/onnx__Sinh.html
public struct Sinh: UnaryFloatOperator {
  public static let opType = "Sinh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.sinh(x) }
}
