import TuneTensor

/// ONNX `Tile`: the input repeated `repeats[k]` times along each axis `k`
/// (output dimension `k` is `shape[k] * repeats[k]`); opset 1 repeats one `axis` `tiles` times.
/// https://onnx.ai/onnx/operators/onnx__Tile.html
public struct Tile: DataMovementGradient {
  public static let opType = "Tile"
  /// Opset 1 took `tiles` (a count) and `axis` as inputs instead of `repeats`.
  public var countAndAxisInputs: Bool

  public init(node: Node, opset: Int) throws {
    countAndAxisInputs = opset < 6
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    var repeats: [Int]
    if countAndAxisInputs {
      let tiles = try ShapeSupport.scalarInt(ShapeSupport.input(inputs, 1, "tiles"), "tiles")
      let axis = try ShapeSupport.axis(
        ShapeSupport.scalarInt(ShapeSupport.input(inputs, 2, "axis"), "axis"), rank: x.rank)
      repeats = [Int](repeating: 1, count: x.rank)
      repeats[axis] = tiles
    } else {
      repeats = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "repeats"), "repeats")
    }
    guard repeats.count == x.rank, repeats.allSatisfy({ $0 >= 0 }) else {
      throw OpError(
        "repeats \(repeats) should hold \(x.rank) non-negative values for input \(x.shape)")
    }
    let outShape = try ShapeSupport.checkedShape(
      zip(x.shape, repeats).map { try ShapeSupport.multiply($0, $1, "tiled shape") }, "output shape", dtype: x.dtype
    )
    try ShapeSupport.requireMovable(x)
    // View the output as [r0, d0, r1, d1, ...] with stride 0 along each repeat axis.
    let inStrides = CopyKernel.contiguousStrides(x.shape)
    var viewShape: [Int] = []
    var viewStrides: [Int] = []
    for k in 0..<x.rank {
      viewShape += [repeats[k], x.shape[k]]
      viewStrides += [0, inStrides[k]]
    }
    return [
      CopyKernel.strided(x, shape: viewShape, offset: 0, strides: viewStrides).reshaped(outShape)
    ]
  }
}
