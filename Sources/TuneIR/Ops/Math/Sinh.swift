import TuneTensor

/// `Sinh`: y = sinh x.
/// https://onnx.ai/onnx/operators/onnx__Sinh.html
public struct Sinh: DifferentiableUnaryFloatOperator {
  public static let opType = "Sinh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.sinh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { Float.cosh(x) }
}
