import TuneTensor

/// ONNX `MaxPool`: the maximum over each (dilated) window, with an optional second output
/// `Indices` holding each maximum's flat index in X (row-major, or column-major over the
/// spatial axes when `storage_order` is 1).
/// https://onnx.ai/onnx/operators/onnx__MaxPool.html
public struct MaxPool: Operator {
  public static let opType = "MaxPool"
  var attributes: PoolAttributes
  public var storageOrder: Int

  public init(node: Node, opset: Int) throws {
    attributes = try PoolAttributes(node: node)
    storageOrder = try node.int("storage_order", default: 0)
    wantsIndices = node.outputs.count > 1 && !node.outputs[1].isEmpty
  }

  /// True when the node asks for the Indices output.
  public var wantsIndices: Bool

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let shape = try attributes.shape(input: x.shape)
    return try PoolAttributes.run(
      .max, shape: shape, x: x, wantIndices: wantsIndices, columnMajorIndices: storageOrder == 1)
  }
}
