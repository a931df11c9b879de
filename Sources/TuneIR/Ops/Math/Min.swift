import TuneTensor

/// `Min`: elementwise minimum of all inputs, with broadcasting (NaN propagates).
/// https://onnx.ai/onnx/operators/onnx__Min.html
public struct Min: VariadicArithmeticOperator {
  public static let opType = "Min"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.minimum(a, b) }
}
