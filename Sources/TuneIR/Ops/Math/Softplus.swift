import TuneTensor

/// `Softplus`: y = ln(1 + e^x), computed without overflow.
/// https://onnx.ai/onnx/operators/onnx__Softplus.html
public struct Softplus: DifferentiableUnaryFloatOperator {
  public static let opType = "Softplus"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x > 0 ? x + T.log1p(T.exp(-x)) : T.log1p(T.exp(x)) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x >= 0 ? 1 / (1 + Float.exp(-x)) : Float.exp(x) / (1 + Float.exp(x)) }
}
