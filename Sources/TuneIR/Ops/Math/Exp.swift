import TuneTensor

/// `Exp`: y = e^x.
/// https://onnx.ai/onnx/operators/onnx__Exp.html
public struct Exp: DifferentiableUnaryFloatOperator {
  public static let opType = "Exp"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.exp(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { y }
}
