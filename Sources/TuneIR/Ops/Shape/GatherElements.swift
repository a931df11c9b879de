import TuneTensor

/// ONNX `GatherElements`: `out[i][j][k] = data[index[i][j][k]][j][k]` for `axis` = 0 (and
/// likewise for other axes); `indices` has the rank of `data` and gives the output shape.
/// https://onnx.ai/onnx/operators/onnx__GatherElements.html
public struct GatherElements: DataMovementGradient {
  public static let opType = "GatherElements"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    try ShapeSupport.requireMovable(x, "data")
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let blocks = try GatherElements.sourceOffsets(
      dataShape: x.shape, indices: ShapeSupport.ints(indicesTensor, "indices"),
      indicesShape: indicesTensor.shape, axis: a)
    return [
      CopyKernel.gatherBlocks(x, blockSize: 1, sourceBlocks: blocks, shape: indicesTensor.shape)
    ]
  }

  /// For each element of `indices` (shape `indicesShape`), the flat offset into `data` it
  /// addresses along `axis`. Shared with `ScatterElements`.
  static func sourceOffsets(dataShape: [Int], indices: [Int], indicesShape: [Int], axis: Int) throws
    -> [Int]
  {
    guard indicesShape.count == dataShape.count else {
      throw OpError("indices rank \(indicesShape.count) should equal data rank \(dataShape.count)")
    }
    for (k, (i, d)) in zip(indicesShape, dataShape).enumerated() where k != axis && i > d {
      throw OpError("indices shape \(indicesShape) exceeds data shape \(dataShape) on axis \(k)")
    }
    let strides = CopyKernel.contiguousStrides(dataShape)
    let dim = dataShape[axis]
    var out = [Int](repeating: 0, count: indices.count)
    var index = [Int](repeating: 0, count: indicesShape.count)
    for n in 0..<indices.count {
      var offset = 0
      for k in 0..<index.count where k != axis { offset += index[k] * strides[k] }
      offset += try ShapeSupport.index(indices[n], dim: dim, "index") * strides[axis]
      out[n] = offset
      var k = index.count - 1
      while k >= 0 {
        index[k] += 1
        if index[k] < indicesShape[k] { break }
        index[k] = 0
        k -= 1
      }
    }
    return out
  }
}
