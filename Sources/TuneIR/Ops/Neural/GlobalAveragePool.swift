import TuneTensor

/// ONNX `GlobalAveragePool`: the mean of each `[N, C]` plane, keeping the spatial axes as 1.
/// https://onnx.ai/onnx/operators/onnx__GlobalAveragePool.html
public struct GlobalAveragePool: Operator {
  public static let opType = "GlobalAveragePool"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try PoolAttributes.global(max: false, x: try NeuralSupport.required(inputs, 0, "X"))]
  }
}
