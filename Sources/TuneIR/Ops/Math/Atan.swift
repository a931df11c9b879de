import TuneTensor

/// `Atan`: y = atan x.
/// https://onnx.ai/onnx/operators/onnx__Atan.html
public struct Atan: DifferentiableUnaryFloatOperator {
  public static let opType = "Atan"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.atan(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / (1 + x * x) }
}
