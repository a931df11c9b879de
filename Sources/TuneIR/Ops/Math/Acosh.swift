import TuneTensor

/// `Acosh`: y = acosh x.
/// https://onnx.ai/onnx/operators/onnx__Acosh.html
public struct Acosh: UnaryFloatOperator {
  public static let opType = "Acosh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.acosh(x) }
}
