import TuneTensor

/// ONNX `Concat`: inputs joined along `axis` (negative from opset 11; default 1 in opset 1).
/// Every input has the same dtype, rank, and dimensions off the axis.
/// https://onnx.ai/onnx/operators/onnx__Concat.html
public struct Concat: DifferentiableOperator {
  public static let opType = "Concat"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    if opset < 4 {
      axis = try node.int("axis", default: 1)
    } else {
      guard let a = try node.intIfPresent("axis") else {
        throw OpError("attribute 'axis' is required")
      }
      axis = a
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let parts = inputs.compactMap { $0 }
    guard let first = parts.first else { throw OpError("Concat needs at least one input") }
    let a = try ShapeSupport.axis(axis, rank: first.rank)
    for (i, p) in parts.enumerated() {
      guard p.dtype == first.dtype else {
        throw OpError("input \(i) is \(p.dtype), expected \(first.dtype) like input 0")
      }
      guard p.rank == first.rank,
        zip(p.shape, first.shape).enumerated().allSatisfy({
          $0.offset == a || $0.element.0 == $0.element.1
        })
      else {
        throw OpError(
          "input \(i) has shape \(p.shape), incompatible with \(first.shape) along axis \(a)")
      }
    }
    if parts.count == 1 { return [first] }
    try ShapeSupport.requireMovable(first)
    return [CopyKernel.concat(parts, axis: a)]
  }
}

extension Concat {
  /// Each input's gradient is its slice of the output gradient along the axis.
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    var result = [Tensor?](repeating: nil, count: inputs.count)
    guard let g = outputGradients.first ?? nil, let first = inputs.compactMap({ $0 }).first else {
      return result
    }
    let a = try ShapeSupport.axis(axis, rank: first.rank)
    guard g.rank == first.rank, g.shape[a] == inputs.reduce(0, { $0 + ($1?.shape[a] ?? 0) }) else {
      throw OpError("output gradient has shape \(g.shape), expected \(outputs.first?.shape ?? [])")
    }
    var start = 0
    for (k, x) in inputs.enumerated() {
      guard let x else { continue }
      if k < needed.count && needed[k] {
        result[k] = ShapeSupport.slice(g, axis: a, start: start, count: x.shape[a])
      }
      start += x.shape[a]
    }
    return result
  }
}
