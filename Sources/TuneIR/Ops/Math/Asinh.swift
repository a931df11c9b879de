import TuneTensor

/// `Asinh`: y = asinh x.
/// https://onnx.ai/onnx/operators/onnx__Asinh.html
public struct Asinh: DifferentiableUnaryFloatOperator {
  public static let opType = "Asinh"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.asinh(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / (x * x + 1).squareRoot() }
}
