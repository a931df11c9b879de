import TuneTensor

/// `Acosh`: y = acosh x.
/// https://onnx.ai/onnx/operators/onnx__Acosh.html
public struct Acosh: DifferentiableUnaryFloatOperator {
  public static let opType = "Acosh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.acosh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / (x * x - 1).squareRoot() }
}
