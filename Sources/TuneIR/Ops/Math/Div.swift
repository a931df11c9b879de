import TuneTensor

/// `Div`: y = a / b with broadcasting; integer division truncates (0 for a zero divisor).
/// https://onnx.ai/onnx/operators/onnx__Div.html
public struct Div: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "Div"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.divide(a, b) }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { (1 / b, -a / (b * b)) }
}
