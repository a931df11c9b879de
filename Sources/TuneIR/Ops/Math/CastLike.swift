import TuneTensor

/// `CastLike`: converts the first input to the element type of the second.
/// https://onnx.ai/onnx/operators/onnx__CastLike.html
public struct CastLike: Operator {
  public static let opType = "CastLike"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    let like = try MathSupport.required(inputs, 1)
    return [try Cast.convert(x, to: like.dtype)]
  }
}
