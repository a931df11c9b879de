/// Reduction kernels: fold a tensor along a set of axes.
extension Elementwise {
  /// Folds `x` along the axes where `reduced[axis]` is true into a tensor of `x`'s shape with
  /// those axes set to 1: `acc = combine(acc, element, reference)` starting from `initial`,
  /// where `reference` is the matching element of `reference` (a tensor of the output's
  /// shape, e.g. the maximum for a stable log-sum-exp) or `initial` when none is given.
  @inlinable @inline(__always)
  public static func reduce<T: TensorScalar>(
    _ x: Tensor, as type: T.Type, reduced: [Bool], initial: T, reference: Tensor? = nil,
    _ combine: (_ accumulator: T, _ element: T, _ reference: T) -> T
  ) -> Tensor {
    var keep = x.shape
    for (axis, r) in reduced.enumerated() where r { keep[axis] = 1 }
    let out = Tensor(uninitialized: T.dtype, shape: keep)
    let dst = out.buffer.pointer.assumingMemoryBound(to: T.self)
    let n = out.count
    dst.initialize(repeating: initial, count: n)
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    let ref = reference?.buffer.pointer.assumingMemoryBound(to: T.self)
    var rows = BroadcastRows(target: x.shape, shapes: [x.shape, keep])
    let count = rows.length
    let (sx, so) = (rows.innerStrides[0], rows.innerStrides[1])
    for _ in 0..<rows.count {
      let p = src + rows.offsets[0]
      let o = rows.offsets[1]
      if so == 0 {
        var acc = dst[o]
        let r = ref?[o] ?? initial
        if sx == 1 {
          for j in 0..<count { acc = combine(acc, p[j], r) }
        } else {
          for j in 0..<count { acc = combine(acc, p[j * sx], r) }
        }
        dst[o] = acc
      } else if so == 1 && sx == 1 && ref == nil {
        let d = dst + o
        for j in 0..<count { d[j] = combine(d[j], p[j], initial) }
      } else if let ref {
        for j in 0..<count { dst[o + j * so] = combine(dst[o + j * so], p[j * sx], ref[o + j * so]) }
      } else {
        for j in 0..<count { dst[o + j * so] = combine(dst[o + j * so], p[j * sx], initial) }
      }
      rows.advance()
    }
    return out
  }

  /// The naive twin of `reduce` (no reference): every output element folds its inputs found by
  /// index arithmetic.
  public static func reduceNaive<T: TensorScalar>(
    _ x: Tensor, as type: T.Type, reduced: [Bool], initial: T, _ combine: (T, T) -> T
  ) -> Tensor {
    var keep = x.shape
    for (axis, r) in reduced.enumerated() where r { keep[axis] = 1 }
    var out = [T](repeating: initial, count: Tensor.elementCount(keep))
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    for i in 0..<x.count {
      let o = naiveOffset(i, x.shape, keep)
      out[o] = combine(out[o], src[i])
    }
    return Tensor(out, shape: keep)
  }
}
