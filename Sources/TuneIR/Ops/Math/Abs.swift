import TuneTensor

/// `Abs`: y = |x|.
/// https://onnx.ai/onnx/operators/onnx__Abs.html
public struct Abs: UnaryNumericOperator {
  public static let opType = "Abs"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { T.absolute(x) }
}
