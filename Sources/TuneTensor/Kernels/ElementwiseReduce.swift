/// Reduction kernels: fold a tensor along a set of axes.
extension Elementwise {
  /// Folds `x` along the axes where `reduced[axis]` is true into a tensor of `x`'s shape with
  /// those axes set to 1: `acc = combine(acc, element, reference)` starting from `initial`,
  /// where `reference` is the matching element of `reference` (a tensor of the output's
  /// shape, e.g. the maximum for a stable log-sum-exp) or `initial` when none is given.
  @inlinable
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
    Broadcast.forEachRow(target: x.shape, shapes: [x.shape, keep]) { start, offsets, strides, count in
      let p = src + start
      let o = offsets[1]
      if strides[1] == 0 {
        var acc = dst[o]
        let r = ref?[o] ?? initial
        for j in 0..<count { acc = combine(acc, p[j], r) }
        dst[o] = acc
      } else if let ref {
        for j in 0..<count { dst[o + j] = combine(dst[o + j], p[j], ref[o + j]) }
      } else {
        for j in 0..<count { dst[o + j] = combine(dst[o + j], p[j], initial) }
      }
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
