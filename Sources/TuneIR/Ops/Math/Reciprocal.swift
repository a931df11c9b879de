import TuneTensor

/// `Reciprocal`: y = 1 / x.
/// https://onnx.ai/onnx/operators/onnx__Reciprocal.html
public struct Reciprocal: DifferentiableUnaryFloatOperator {
  public static let opType = "Reciprocal"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { 1 / x }
  public func derivative(_ x: Float, _ y: Float) -> Float { -y * y }
}
