import TuneTensor

/// `PRelu`: y = x for x ≥ 0, slope · x otherwise; `slope` broadcasts to `x`'s shape. Before
/// opset 7 a 1-D slope of x's channel count applies along axis 1 (as PyTorch exported it).
/// https://onnx.ai/onnx/operators/onnx__PRelu.html
public struct PRelu: BinaryArithmeticOperator, DifferentiableBinaryOperator {
  public static let opType = "PRelu"
  public var legacyChannelSlope: Bool
  public init(node: Node, opset: Int) throws { legacyChannelSlope = opset < 7 }
  public func apply<T: NumericScalar>(_ x: T, _ slope: T) -> T {
    x < T.zero ? T.multiply(slope, x) : x
  }
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) { a < 0 ? (b, a) : (1, 0) }

  /// The slope laid out as [C, 1, …, 1] when the pre-7 per-channel rule applies.
  func channelSlope(_ inputs: [Tensor?]) throws -> [Tensor?] {
    let x = try MathSupport.required(inputs, 0)
    let slope = try MathSupport.required(inputs, 1)
    guard legacyChannelSlope, slope.rank == 1, x.rank > 2, slope.count > 1, slope.count == x.shape[1]
    else { return inputs }
    return [x, slope.reshaped([slope.count] + [Int](repeating: 1, count: x.rank - 2))]
  }

  /// The slope is laid out per channel first, so the generic in-place path does not apply.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try forward(inputs, context: context)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let laid = try channelSlope(inputs)
    return [try combine(try MathSupport.required(laid, 0), try MathSupport.required(laid, 1))]
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard let g = MathGradients.outputGradient(outputGradients) else { return [nil, nil] }
    let laid = try channelSlope(inputs)
    let x = try MathGradients.float(laid, 0)
    let slope = try MathGradients.float(laid, 1)
    let dx = needed.first == true ? MathGradients.map(g, x, slope) { g, x, s in x < 0 ? g * s : g } : nil
    var ds = needed.count > 1 && needed[1] ? MathGradients.map(g, x, slope) { g, x, _ in x < 0 ? g * x : 0 } : nil
    if let d = ds, let original = inputs[1], laid[1]?.shape != original.shape {
      // Per-channel slope: sum over every axis but 1 here, since trailing-aligned
      // un-broadcasting would not find the channel axis.
      let mask = d.shape.indices.map { $0 != 1 }
      ds = Elementwise.reduce(d, as: Float.self, reduced: mask, initial: 0) { a, e, _ in a + e }
        .reshaped(original.shape)
    }
    return [dx, ds]
  }
}
