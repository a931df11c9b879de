import TuneTensor

/// ONNX `DepthToSpace`: `[N, C, H, W]` to `[N, C/b², H·b, W·b]`, moving blocks of channels
/// into space; `mode` DCR (depth-column-row, default) or CRD (column-row-depth, opset 11).
/// https://onnx.ai/onnx/operators/onnx__DepthToSpace.html
public struct DepthToSpace: DataMovementGradient {
  public static let opType = "DepthToSpace"
  public var blockSize: Int
  public var columnRowDepth: Bool

  public init(node: Node, opset: Int) throws {
    guard let b = try node.intIfPresent("blocksize"), b >= 1 else {
      throw OpError("attribute 'blocksize' is required and positive")
    }
    blockSize = b
    let mode = try node.string("mode", default: "DCR")
    guard mode == "DCR" || mode == "CRD" else {
      throw OpError("mode should be DCR or CRD, got '\(mode)'")
    }
    columnRowDepth = mode == "CRD"
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    try ShapeSupport.requireMovable(x)
    let b = blockSize
    let (bb, overflow) = b.multipliedReportingOverflow(by: b)
    guard x.rank == 4, !overflow, x.shape[1] % bb == 0 else {
      throw OpError(
        "input should be [N, C, H, W] with C divisible by blocksize² (blocksize \(b)), got \(x.shape)"
      )
    }
    let (n, c, h, w) = (x.shape[0], x.shape[1] / bb, x.shape[2], x.shape[3])
    let (outH, outW) = (
      try ShapeSupport.multiply(h, b, "output height"),
      try ShapeSupport.multiply(w, b, "output width")
    )
    let moved =
      columnRowDepth
      ? CopyKernel.transpose(x.reshaped([n, c, b, b, h, w]), perm: [0, 1, 4, 2, 5, 3])
      : CopyKernel.transpose(x.reshaped([n, b, b, c, h, w]), perm: [0, 3, 4, 1, 5, 2])
    return [moved.reshaped([n, c, outH, outW])]
  }
}
