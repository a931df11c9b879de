import TuneTensor

/// `Sum`: elementwise sum of all inputs, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Sum.html
public struct Sum: VariadicArithmeticOperator {
  public static let opType = "Sum"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }
}
