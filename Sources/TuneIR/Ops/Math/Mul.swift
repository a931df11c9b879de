import TuneTensor

/// `Mul`: y = a · b with broadcasting (integers wrap).
/// https://onnx.ai/onnx/operators/onnx__Mul.html
public struct Mul: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "Mul"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.multiply(a, b) }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { (b, a) }
}
