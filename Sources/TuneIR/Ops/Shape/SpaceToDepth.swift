import TuneTensor

/// ONNX `SpaceToDepth`: `[N, C, H, W]` to `[N, C·b², H/b, W/b]`, moving `b×b` spatial blocks
/// into channels (the inverse of `DepthToSpace` in DCR mode).
/// https://onnx.ai/onnx/operators/onnx__SpaceToDepth.html
public struct SpaceToDepth: DataMovementGradient {
  public static let opType = "SpaceToDepth"
  public var blockSize: Int

  public init(node: Node, opset: Int) throws {
    guard let b = try node.intIfPresent("blocksize"), b >= 1 else {
      throw OpError("attribute 'blocksize' is required and positive")
    }
    blockSize = b
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    try ShapeSupport.requireMovable(x)
    let b = blockSize
    guard x.rank == 4, x.shape[2] % b == 0, x.shape[3] % b == 0 else {
      throw OpError("input should be [N, C, H, W] with H and W divisible by \(b), got \(x.shape)")
    }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] / b, x.shape[3] / b)
    let moved = CopyKernel.transpose(x.reshaped([n, c, h, b, w, b]), perm: [0, 3, 5, 1, 2, 4])
    let channels = try ShapeSupport.multiply(
      ShapeSupport.multiply(c, b, "output channels"), b, "output channels")
    return [moved.reshaped([n, channels, h, w])]
  }
}
