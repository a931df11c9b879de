import TuneTensor

/// `CastLike`: converts the first input to the element type of the second, with `Cast`'s
/// `saturate` and `round_mode` attributes.
/// https://onnx.ai/onnx/operators/onnx__CastLike.html
public struct CastLike: DifferentiableOperator {
  public static let opType = "CastLike"
  public var saturate: Bool
  public var roundMode: String
  public init(node: Node, opset: Int) throws {
    saturate = try node.int("saturate", default: 1) != 0
    roundMode = try node.string("round_mode", default: "up")
    guard ["up", "down", "nearest"].contains(roundMode) else {
      throw OpError("attribute 'round_mode' should be up, down or nearest, got \(roundMode)")
    }
  }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    let like = try MathSupport.required(inputs, 1)
    return [try Cast.convert(x, to: like.dtype, saturate: saturate, roundMode: roundMode)]
  }

  /// The gradient converted back to the input's floating point type (none for other types).
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    let rest = [Tensor?](repeating: nil, count: 1)
    guard needed.first == true, let g = outputGradients.first ?? nil,
      let x = inputs.first ?? nil, x.dtype.isFloatingPoint, g.dtype.isFloatingPoint
    else { return [nil] + rest }
    return [g.converted(to: x.dtype)] + rest
  }
}
