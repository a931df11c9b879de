import TuneTensor

/// `Erf`: the Gauss error function.
/// https://onnx.ai/onnx/operators/onnx__Erf.html
public struct Erf: UnaryFloatOperator {
  public static let opType = "Erf"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.erf(x) }
}
