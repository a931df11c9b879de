import TuneTensor

/// `Min`: elementwise minimum of all inputs, with broadcasting (NaN propagates).
/// https://onnx.ai/onnx/operators/onnx__Min.html
public struct Min: VariadicArithmeticOperator, DifferentiableOperator {
  public static let opType = "Min"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.minimum(a, b) }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    try MathGradients.extremum(
      inputs: inputs, outputs: outputs, outputGradients: outputGradients, needed: needed)
  }
}
