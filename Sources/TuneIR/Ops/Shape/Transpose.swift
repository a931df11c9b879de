import TuneTensor

/// ONNX `Transpose`: output axis `k` is input axis `perm[k]`; the default `perm` reverses the axes.
/// https://onnx.ai/onnx/operators/onnx__Transpose.html
public struct Transpose: DataMovementGradient {
  public static let opType = "Transpose"
  public var perm: [Int]?

  public init(node: Node, opset: Int) throws {
    perm = try node.ints("perm")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let p = perm ?? Array((0..<x.rank).reversed())
    guard p.count == x.rank, Set(p).count == p.count, p.allSatisfy({ $0 >= 0 && $0 < x.rank }) else {
      throw OpError("perm \(p) is not a permutation of the \(x.rank) axes of \(x.shape)")
    }
    // Moving only unit axes (or none) keeps the element order: a reshape.
    let moved = p.enumerated().filter { x.shape[$0.element] != 1 }.map(\.element)
    if moved == moved.sorted() { return [x.reshaped(p.map { x.shape[$0] })] }
    try ShapeSupport.requireMovable(x)
    return [CopyKernel.transpose(x, perm: p)]
  }
}
