import TuneTensor

/// `Sin`: y = sin x.
/// https://onnx.ai/onnx/operators/onnx__Sin.html
public struct Sin: DifferentiableUnaryFloatOperator {
  public static let opType = "Sin"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.sin(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { Float.cos(x) }
}
