import TuneTensor

/// `CastLike`: converts the first input to the element type of the second, with `Cast`'s
/// `saturate` and `round_mode` attributes.
/// https://onnx.ai/onnx/operators/onnx__CastLike.html
public struct CastLike: Operator {
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
}
