import TuneTensor

/// `Softsign`: y = x / (1 + |x|).
/// https://onnx.ai/onnx/operators/onnx__Softsign.html
public struct Softsign: DifferentiableUnaryFloatOperator {
  public static let opType = "Softsign"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x / (1 + Swift.abs(x)) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / ((1 + Swift.abs(x)) * (1 + Swift.abs(x))) }
}
