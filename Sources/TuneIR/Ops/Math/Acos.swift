import TuneTensor

/// `Acos`: y = acos x.
/// https://onnx.ai/onnx/operators/onnx__Acos.html
public struct Acos: DifferentiableUnaryFloatOperator {
  public static let opType = "Acos"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.acos(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { -1 / (1 - x * x).squareRoot() }
}
