import TuneTensor

/// `Mean`: elementwise mean of all inputs, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Mean.html
public struct Mean: VariadicArithmeticOperator, DifferentiableOperator {
  public static let opType = "Mean"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.add(a, b) }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let sum = try fold(inputs)
    let n = Float(inputs.compactMap { $0 }.count)
    switch sum.dtype {
    case .float: return [Elementwise.map(sum, as: Float.self) { $0 / n }]
    case .double: return [Elementwise.map(sum, as: Double.self) { $0 / Double(n) }]
    case .float16, .bfloat16:
      return [MathSupport.viaFloat(sum) { Elementwise.map($0, as: Float.self) { $0 / n } }]
    default: throw OpError("expected floating point inputs, got \(sum.dtype)")
    }
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    // Every input receives the output gradient divided by the input count.
    guard let g = MathGradients.outputGradient(outputGradients) else { return needed.map { _ in nil } }
    let n = Float(inputs.compactMap { $0 }.count)
    let scaled = Elementwise.map(g, as: Float.self) { $0 / n }
    return needed.map { $0 ? scaled : nil }
  }
}
