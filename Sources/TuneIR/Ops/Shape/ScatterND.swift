import TuneTensor

/// ONNX `ScatterND`: a copy of `data` whose slices addressed by the last axis of `indices` are
/// replaced by (or combined with, `reduction` add/mul from opset 16, max/min from 18) `updates`,
/// of shape `indices.shape[..<-1] + data.shape[indices.shape[-1]...]`.
/// https://onnx.ai/onnx/operators/onnx__ScatterND.html
public struct ScatterND: Operator {
  public static let opType = "ScatterND"
  public var reduction: ScatterReduction

  public init(node: Node, opset: Int) throws {
    reduction = try ScatterReduction(node.string("reduction", default: "none"))
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    let updates = try ShapeSupport.input(inputs, 2, "updates")
    let plan = try NDIndexing(
      dataShape: x.shape, indices: ShapeSupport.ints(indicesTensor, "indices"),
      indicesShape: indicesTensor.shape, batchDims: 0)
    let expected = Array(indicesTensor.shape.dropLast()) + plan.sliceShape
    guard updates.shape == expected else {
      throw OpError("updates shape \(updates.shape) should be \(expected)")
    }
    return [
      try ScatterReduction.scatter(
        into: x, blocks: plan.blocks, blockSize: plan.sliceSize, updates: updates, reduction)
    ]
  }
}
