import TuneTensor

/// ONNX `Compress`: the slices along `axis` (of the flattened input when no axis) whose
/// `condition` entry is true; a condition shorter than the axis counts as false past its end.
/// https://onnx.ai/onnx/operators/onnx__Compress.html
public struct Compress: DataMovementGradient {
  public static let opType = "Compress"
  public var axis: Int?

  public init(node: Node, opset: Int) throws {
    axis = try node.intIfPresent("axis")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var x = try ShapeSupport.input(inputs, 0, "input")
    let condition = try ShapeSupport.input(inputs, 1, "condition")
    try ShapeSupport.requireMovable(x)
    guard condition.dtype == .bool, condition.rank == 1 else {
      throw OpError(
        "condition should be a 1-D bool tensor, got \(condition.dtype) \(condition.shape)")
    }
    let a: Int
    if let axis {
      a = try ShapeSupport.axis(axis, rank: x.rank)
    } else {
      x = x.reshaped([x.count])
      a = 0
    }
    let dim = x.shape[a]
    guard condition.count <= dim else {
      throw OpError(
        "condition has \(condition.count) entries, more than the \(dim) along axis \(a)")
    }
    let keep = condition.elements(as: Bool.self).enumerated().filter(\.element).map(\.offset)
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    let inner = Tensor.elementCount(Array(x.shape[(a + 1)...]))
    var blocks: [Int] = []
    for o in 0..<outer { for k in keep { blocks.append(o * dim + k) } }
    var shape = x.shape
    shape[a] = keep.count
    return [CopyKernel.gatherBlocks(x, blockSize: inner, sourceBlocks: blocks, shape: shape)]
  }
}
