import TuneTensor

/// `Erf`: the Gauss error function.
/// https://onnx.ai/onnx/operators/onnx__Erf.html
public struct Erf: DifferentiableUnaryFloatOperator {
  public static let opType = "Erf"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.erf(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1.1283791670955126 * Float.exp(-x * x) }
}
