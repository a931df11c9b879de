import TuneTensor

/// ONNX `Expand`: the input broadcast (NumPy rules, in both directions) with `shape`; the
/// output shape is `broadcast(input.shape, shape)`, so a 1 in `shape` keeps the input dimension.
/// https://onnx.ai/onnx/operators/onnx__Expand.html
public struct Expand: DataMovementGradient {
  public static let opType = "Expand"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    let requested = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "shape"), "shape")
    guard requested.allSatisfy({ $0 >= 0 }), let shape = Broadcast.shape(x.shape, requested) else {
      throw OpError("cannot broadcast \(x.shape) to \(requested)")
    }
    _ = try ShapeSupport.checkedShape(shape, "output shape", dtype: x.dtype)
    if shape == x.shape { return [x] }
    if shape.count > x.rank && Tensor.elementCount(shape) == x.count {
      return [x.reshaped(shape)]
    }
    try ShapeSupport.requireMovable(x)
    return [
      CopyKernel.strided(
        x, shape: shape, offset: 0, strides: Broadcast.strides(of: x.shape, broadcastTo: shape))
    ]
  }
}
