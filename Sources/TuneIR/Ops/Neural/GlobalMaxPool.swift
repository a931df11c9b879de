import TuneTensor

/// ONNX `GlobalMaxPool`: the maximum of each `[N, C]` plane, keeping the spatial axes as 1.
/// https://onnx.ai/onnx/operators/onnx__GlobalMaxPool.html
public struct GlobalMaxPool: Operator {
  public static let opType = "GlobalMaxPool"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try PoolAttributes.global(max: true, x: try NeuralSupport.required(inputs, 0, "X"))]
  }
}
