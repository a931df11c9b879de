import TuneTensor

/// `Log`: y = ln x.
/// https://onnx.ai/onnx/operators/onnx__Log.html
public struct Log: DifferentiableUnaryFloatOperator {
  public static let opType = "Log"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.log(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}
