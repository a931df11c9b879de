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
    guard p.count == x.rank, Set(p).count == p.count, p.allSatisfy({ $0 >= 0 && $0 < x.rank })
    else {
      throw OpError("perm \(p) is not a permutation of the \(x.rank) axes of \(x.shape)")
    }
    // Moving only unit axes (or none) keeps the element order: a reshape.
    let moved = p.enumerated().filter { x.shape[$0.element] != 1 }.map(\.element)
    if moved == moved.sorted() { return [x.reshaped(p.map { x.shape[$0] })] }
    try ShapeSupport.requireMovable(x)
    return [CopyKernel.transpose(x, perm: p)]
  }
}

extension Transpose {
  /// The gradient transposed back with the inverse permutation (no index probe needed).
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let x = inputs.first ?? nil, let g = outputGradients.first ?? nil
    else {
      return [Tensor?](repeating: nil, count: inputs.count)
    }
    let p = perm ?? Array((0..<x.rank).reversed())
    guard p.count == x.rank, g.shape == p.map({ x.shape[$0] }) else {
      throw OpError(
        "output gradient has shape \(g.shape), expected \(p.count == x.rank ? p.map { x.shape[$0] } : [])"
      )
    }
    var inverse = p
    for (k, axis) in p.enumerated() { inverse[axis] = k }
    return [try Transpose(perm: inverse).forward([g], context: context)[0]]
  }

  init(perm: [Int]) { self.perm = perm }
}
