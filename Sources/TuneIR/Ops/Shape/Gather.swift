import TuneTensor

/// ONNX `Gather`: entries of `data` along `axis` picked by `indices` (int32/int64; negative
/// values count from the end). Output shape: `data.shape[..<axis] + indices.shape +
/// data.shape[(axis+1)...]`. An index outside `[-n, n)` is an error.
/// https://onnx.ai/onnx/operators/onnx__Gather.html
public struct Gather: DataMovementGradient {
  public static let opType = "Gather"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    try ShapeSupport.requireMovable(x, "data")
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let dim = x.shape[a]
    let indices = try ShapeSupport.ints(indicesTensor, "indices").map {
      try ShapeSupport.index($0, dim: dim, "index")
    }
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    let inner = Tensor.elementCount(Array(x.shape[(a + 1)...]))
    var blocks: [Int] = []
    blocks.reserveCapacity(outer * indices.count)
    for o in 0..<outer {
      for i in indices { blocks.append(o * dim + i) }
    }
    let shape = Array(x.shape[..<a]) + indicesTensor.shape + Array(x.shape[(a + 1)...])
    return [CopyKernel.gatherBlocks(x, blockSize: inner, sourceBlocks: blocks, shape: shape)]
  }
}
