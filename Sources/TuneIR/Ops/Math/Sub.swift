import TuneTensor

/// `Sub`: y = a - b with broadcasting (integers wrap).
/// https://onnx.ai/onnx/operators/onnx__Sub.html
public struct Sub: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "Sub"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.subtract(a, b) }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { (1, -1) }
}
