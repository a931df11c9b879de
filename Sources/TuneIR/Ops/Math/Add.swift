import TuneTensor

/// `Add`: y = a + b with broadcasting (integers wrap).
/// https://onnx.ai/onnx/operators/onnx__Add.html
public struct Add: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "Add"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { (1, 1) }
}
