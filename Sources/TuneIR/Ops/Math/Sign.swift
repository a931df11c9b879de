import TuneTensor

/// `Sign`: y = -1, 0 or 1 by the sign of x.
/// https://onnx.ai/onnx/operators/onnx__Sign.html
public struct Sign: DifferentiableUnaryNumericOperator {
  public static let opType = "Sign"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { T.signum(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 0 }
}
