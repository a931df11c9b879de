import TuneTensor

/// `Cosh`: y = cosh x.
/// https://onnx.ai/onnx/operators/onnx__Cosh.html
public struct Cosh: DifferentiableUnaryFloatOperator {
  public static let opType = "Cosh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.cosh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { Float.sinh(x) }
}
