import TuneTensor

/// ONNX `Identity`: the input, unchanged (the buffer is shared, not copied).
/// https://onnx.ai/onnx/operators/onnx__Identity.html
public struct Identity: ReshapeGradient {
  public static let opType = "Identity"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try ShapeSupport.input(inputs, 0, "input")]
  }
}
