import TuneTensor

/// The shared body of ArgMax and ArgMin: the int64 index of the extreme element along `axis`,
/// the first one unless `select_last_index` (opset 12+) is set.
struct ArgExtremum {
  var axis: Int
  var keepDims: Bool
  var selectLastIndex: Bool

  init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
    keepDims = try node.int("keepdims", default: 1) != 0
    selectLastIndex = try node.int("select_last_index", default: 0) != 0
  }

  /// `better(candidate, best)` says whether `candidate` replaces the current best.
  func run(_ inputs: [Tensor?], maximum: Bool) throws -> Tensor {
    var x = try MathSupport.required(inputs, 0)
    let a = try MathSupport.normalizedAxis(axis, rank: x.rank)
    if x.dtype.isHalfPrecision { x = x.converted(to: .float) }
    if x.dtype == .bool { x.dtype = .uint8 }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    guard x.rank == 0 || x.shape[a] > 0 else {
      throw OpError("cannot take the arg extremum of an empty axis \(a) in shape \(x.shape)")
    }
    let y = x.dtype == .float ? run(x, a, maximum, Float.self) : run(x, a, maximum, type)
    return y
  }

  func run<T: NumericScalar>(_ x: Tensor, _ axis: Int, _ maximum: Bool, _ type: T.Type) -> Tensor {
    var outShape = x.shape
    if x.rank > 0 { outShape[axis] = 1 }
    let out = Tensor(uninitialized: .int64, shape: outShape)
    let dst = out.buffer.pointer.assumingMemoryBound(to: Int64.self)
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    let (outer, length, inner) = x.rank == 0 ? (1, 1, 1) : MathSupport.split(x.shape, axis: axis)
    let last = selectLastIndex
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        var best = src[base]
        var index = 0
        for k in 1..<Swift.max(length, 1) {
          let v = src[base + k * inner]
          let better = maximum ? (v > best || (last && v == best)) : (v < best || (last && v == best))
          if better {
            best = v
            index = k
          }
        }
        dst[o * inner + i] = Int64(index)
      }
    }
    if keepDims { return out }
    var shape = x.shape
    if x.rank > 0 { shape.remove(at: axis) }
    return out.reshaped(shape)
  }
}
