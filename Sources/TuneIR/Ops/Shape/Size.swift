import TuneTensor

/// ONNX `Size`: the input's element count as an int64 scalar.
/// https://onnx.ai/onnx/operators/onnx__Size.html
public struct Size: Operator {
  public static let opType = "Size"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [Tensor(scalar: Int64(try ShapeSupport.input(inputs, 0, "data").count))]
  }
}
