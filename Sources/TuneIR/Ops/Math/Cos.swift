import TuneTensor

/// `Cos`: y = cos x.
/// https://onnx.ai/onnx/operators/onnx__Cos.html
public struct Cos: DifferentiableUnaryFloatOperator {
  public static let opType = "Cos"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.cos(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { -Float.sin(x) }
}
