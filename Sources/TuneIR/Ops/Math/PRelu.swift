import TuneTensor

/// `PRelu`: y = x for x ≥ 0, slope · x otherwise; `slope` broadcasts to `x`'s shape.
/// https://onnx.ai/onnx/operators/onnx__PRelu.html
public struct PRelu: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "PRelu"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ x: T, _ slope: T) -> T {
    x < T.zero ? T.multiply(slope, x) : x
  }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { a < 0 ? (b, a) : (1, 0) }
}
