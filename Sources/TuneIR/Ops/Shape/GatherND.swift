import TuneTensor

/// ONNX `GatherND`: slices of `data` addressed by the last axis of `indices`, after
/// `batch_dims` leading axes shared by both.
/// Output shape: `indices.shape[..<-1] + data.shape[(batch_dims + indices.shape[-1])...]`.
/// https://onnx.ai/onnx/operators/onnx__GatherND.html
public struct GatherND: DataMovementGradient {
  public static let opType = "GatherND"
  public var batchDims: Int

  public init(node: Node, opset: Int) throws {
    batchDims = try node.int("batch_dims", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    try ShapeSupport.requireMovable(x, "data")
    let plan = try NDIndexing(
      dataShape: x.shape, indices: ShapeSupport.ints(indicesTensor, "indices"),
      indicesShape: indicesTensor.shape, batchDims: batchDims)
    let shape = Array(indicesTensor.shape.dropLast()) + plan.sliceShape
    return [
      CopyKernel.gatherBlocks(x, blockSize: plan.sliceSize, sourceBlocks: plan.blocks, shape: shape)
    ]
  }
}

/// The slices addressed by an ND index tensor (GatherND, ScatterND): `blocks[i]` is the flat
/// slice number (in units of `sliceSize` elements) of index tuple `i`.
struct NDIndexing {
  var blocks: [Int]
  var sliceSize: Int
  var sliceShape: [Int]

  init(dataShape: [Int], indices: [Int], indicesShape: [Int], batchDims: Int) throws {
    guard let depth = indicesShape.last, indicesShape.count >= 1 else {
      throw OpError("indices should have rank >= 1, got \(indicesShape)")
    }
    guard batchDims >= 0, batchDims < min(dataShape.count, indicesShape.count) else {
      throw OpError("batch_dims \(batchDims) should be below the ranks of data and indices")
    }
    guard Array(dataShape[..<batchDims]) == Array(indicesShape[..<batchDims]) else {
      throw OpError(
        "the first \(batchDims) dims of data \(dataShape) and indices \(indicesShape) should match")
    }
    guard depth >= 1 || depth == 0, batchDims + depth <= dataShape.count else {
      throw OpError(
        "indices last dimension \(depth) is too large for data \(dataShape) with batch_dims \(batchDims)"
      )
    }
    sliceShape = Array(dataShape[(batchDims + depth)...])
    sliceSize = Tensor.elementCount(sliceShape)
    let batch = Tensor.elementCount(Array(dataShape[..<batchDims]))
    let tuples = depth == 0 ? Tensor.elementCount(indicesShape.dropLast()) : indices.count / depth
    let perBatch = batch == 0 ? 0 : tuples / batch
    // Slices per batch entry in data.
    let addressed = Array(dataShape[batchDims..<(batchDims + depth)])
    let slicesPerBatch = Tensor.elementCount(addressed)
    blocks = []
    blocks.reserveCapacity(tuples)
    for t in 0..<tuples {
      var slice = 0
      for k in 0..<depth {
        slice =
          slice * addressed[k]
          + (try ShapeSupport.index(indices[t * depth + k], dim: addressed[k], "index"))
      }
      let b = perBatch == 0 ? 0 : t / perBatch
      blocks.append(b * slicesPerBatch + slice)
    }
  }
}
