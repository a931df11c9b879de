import TuneTensor

/// `Abs`: y = |x|.
/// https://onnx.ai/onnx/operators/onnx__Abs.html
public struct Abs: DifferentiableUnaryNumericOperator {
  public static let opType = "Abs"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { T.absolute(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
