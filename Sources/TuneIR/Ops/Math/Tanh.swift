import TuneTensor

/// `Tanh`: y = tanh x.
/// https://onnx.ai/onnx/operators/onnx__Tanh.html
public struct Tanh: DifferentiableUnaryFloatOperator {
  public static let opType = "Tanh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.tanh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
