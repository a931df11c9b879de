import TuneTensor

/// ONNX `AveragePool`: the mean over each (dilated) window; padded cells count in the divisor
/// only when `count_include_pad` is 1 (cells past the end padding in ceil mode never count).
/// https://onnx.ai/onnx/operators/onnx__AveragePool.html
public struct AveragePool: Operator {
  public static let opType = "AveragePool"
  var attributes: PoolAttributes
  public var countIncludePad: Bool

  public init(node: Node, opset: Int) throws {
    attributes = try PoolAttributes(node: node)
    countIncludePad = try node.int("count_include_pad", default: 0) != 0
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let shape = try attributes.shape(input: x.shape)
    return try PoolAttributes.run(.average(countIncludePad: countIncludePad), shape: shape, x: x)
  }
}
