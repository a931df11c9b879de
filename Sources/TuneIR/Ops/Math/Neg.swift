import TuneTensor

/// `Neg`: y = -x (integers wrap).
/// https://onnx.ai/onnx/operators/onnx__Neg.html
public struct Neg: DifferentiableUnaryNumericOperator {
  public static let opType = "Neg"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { T.negate(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { -1 }
}
