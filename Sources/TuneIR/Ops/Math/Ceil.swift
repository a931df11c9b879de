import TuneTensor

/// `Ceil`: y = ⌈x⌉.
/// https://onnx.ai/onnx/operators/onnx__Ceil.html
public struct Ceil: DifferentiableUnaryFloatOperator {
  public static let opType = "Ceil"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.up) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 0 }
}
