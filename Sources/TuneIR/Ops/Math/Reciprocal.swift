import TuneTensor

/// `Reciprocal`: y = 1 / x.
/// https://onnx.ai/onnx/operators/onnx__Reciprocal.html
public struct Reciprocal: UnaryFloatOperator {
  public static let opType = "Reciprocal"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { 1 / x }
}
