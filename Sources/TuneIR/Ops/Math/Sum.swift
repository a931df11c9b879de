import TuneTensor

/// `Sum`: elementwise sum of all inputs, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Sum.html
public struct Sum: VariadicArithmeticOperator, DifferentiableOperator {
  public static let opType = "Sum"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    // Every input receives the output gradient (in the output's shape).
    let g = MathGradients.outputGradient(outputGradients)
    return needed.map { $0 ? g : nil }
  }
}
