import TuneTensor

/// `Tan`: y = tan x.
/// https://onnx.ai/onnx/operators/onnx__Tan.html
public struct Tan: DifferentiableUnaryFloatOperator {
  public static let opType = "Tan"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.tan(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 + y * y }
}
