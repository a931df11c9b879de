import TuneTensor

/// `Atanh`: y = atanh x.
/// https://onnx.ai/onnx/operators/onnx__Atanh.html
public struct Atanh: DifferentiableUnaryFloatOperator {
  public static let opType = "Atanh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.atanh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / (1 - x * x) }
}
