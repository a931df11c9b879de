import TuneTensor

/// `Asin`: y = asin x.
/// https://onnx.ai/onnx/operators/onnx__Asin.html
public struct Asin: DifferentiableUnaryFloatOperator {
  public static let opType = "Asin"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.asin(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / (1 - x * x).squareRoot() }
}
