import TuneTensor

/// `Sqrt`: y = √x.
/// https://onnx.ai/onnx/operators/onnx__Sqrt.html
public struct Sqrt: DifferentiableUnaryFloatOperator {
  public static let opType = "Sqrt"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x.squareRoot() }
  public func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
