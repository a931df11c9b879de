import TuneTensor

/// `Round`: rounds half to even, as NumPy does.
/// https://onnx.ai/onnx/operators/onnx__Round.html
public struct Round: DifferentiableUnaryFloatOperator {
  public static let opType = "Round"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.toNearestOrEven) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 0 }
}
