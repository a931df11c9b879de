import TuneTensor

/// `Max`: elementwise maximum of all inputs, with broadcasting (NaN propagates).
/// https://onnx.ai/onnx/operators/onnx__Max.html
public struct Max: VariadicArithmeticOperator, DifferentiableOperator {
  public static let opType = "Max"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.maximum(a, b) }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    try MathGradients.extremum(
      inputs: inputs, outputs: outputs, outputGradients: outputGradients, needed: needed)
  }
}
