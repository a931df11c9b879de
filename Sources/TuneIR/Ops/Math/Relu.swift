import TuneTensor

/// `Relu`: y = max(0, x) (NaN stays NaN).
/// https://onnx.ai/onnx/operators/onnx__Relu.html
public struct Relu: DifferentiableUnaryNumericOperator {
  public static let opType = "Relu"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T) -> T { x.isNaNValue ? x : Swift.max(x, T.zero) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
