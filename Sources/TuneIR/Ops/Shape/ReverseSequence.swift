import TuneTensor

/// ONNX `ReverseSequence`: for each batch entry `b` (along `batch_axis`), the first
/// `sequence_lens[b]` elements along `time_axis` reversed; the rest unchanged.
/// https://onnx.ai/onnx/operators/onnx__ReverseSequence.html
public struct ReverseSequence: DataMovementGradient {
  public static let opType = "ReverseSequence"
  public var timeAxis: Int
  public var batchAxis: Int

  public init(node: Node, opset: Int) throws {
    timeAxis = try node.int("time_axis", default: 0)
    batchAxis = try node.int("batch_axis", default: 1)
    guard Set([timeAxis, batchAxis]) == [0, 1] else {
      throw OpError(
        "time_axis and batch_axis should be 0 and 1 in some order, got \(timeAxis) and \(batchAxis)"
      )
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    let lens = try ShapeSupport.ints(
      ShapeSupport.input(inputs, 1, "sequence_lens"), "sequence_lens")
    try ShapeSupport.requireMovable(x)
    guard x.rank >= 2 else { throw OpError("input should have rank >= 2, got \(x.shape)") }
    let (steps, batch) = (x.shape[timeAxis], x.shape[batchAxis])
    guard lens.count == batch, lens.allSatisfy({ $0 >= 0 && $0 <= steps }) else {
      throw OpError("sequence_lens \(lens) should hold \(batch) lengths in [0, \(steps)]")
    }
    let inner = Tensor.elementCount(Array(x.shape[2...]))
    // Blocks of `inner` elements indexed by (axis0, axis1).
    var blocks = [Int](repeating: 0, count: x.shape[0] * x.shape[1])
    for i0 in 0..<x.shape[0] {
      for i1 in 0..<x.shape[1] {
        let (t, b) = timeAxis == 0 ? (i0, i1) : (i1, i0)
        let source = t < lens[b] ? lens[b] - 1 - t : t
        blocks[i0 * x.shape[1] + i1] = timeAxis == 0 ? source * batch + b : b * steps + source
      }
    }
    return [CopyKernel.gatherBlocks(x, blockSize: inner, sourceBlocks: blocks, shape: x.shape)]
  }
}
