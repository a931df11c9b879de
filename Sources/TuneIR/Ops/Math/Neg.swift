import TuneTensor

/// `Neg`: y = -x (integers wrap).
/// https://onnx.ai/onnx/operators/onnx__Neg.html
public struct Neg: UnaryNumericOperator {
  public static let opType = "Neg"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { T.negate(x) }
}
