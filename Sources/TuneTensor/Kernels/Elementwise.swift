/// Elementwise kernels with NumPy broadcasting: `map` (unary), `zip` (binary), `select`
/// (ternary `Where`), each with a contiguous fast path, plus naive reference twins for tests.
///
/// The element type parameters must match the tensors' storage (callers dispatch on `dtype`);
/// the kernels read raw storage, so `T` may also be a same-size carrier (`UInt8` for bool).
public enum Elementwise {
  /// `out[i] = op(x[i])`, an output of `R.dtype` with `x`'s shape.
  @inlinable @inline(__always)
  public static func map<T, R: TensorScalar>(
    _ x: Tensor, as type: T.Type, _ op: (T) -> R
  ) -> Tensor {
    let out = Tensor(uninitialized: R.dtype, shape: x.shape)
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: R.self)
    ParallelKernels.runChunks(x.count) { r in
      for i in r { dst[i] = op(src[i]) }
    }
    return out
  }

  /// `x[i] = op(x[i])` in place. The caller guarantees that no other tensor shares `x`'s
  /// buffer (`Tensor.isUniquelyReferenced`).
  @inlinable @inline(__always)
  public static func mapInPlace<T>(_ x: inout Tensor, as type: T.Type, _ op: (T) -> T) {
    let p = x.buffer.pointer.assumingMemoryBound(to: T.self)
    ParallelKernels.runChunks(x.count) { r in
      // Through a small tile: written straight back, a select such as ReLU's becomes a
      // conditional store, which the compiler does not vectorize.
      withUnsafeTemporaryAllocation(of: T.self, capacity: 512) { tile in
        let t = tile.baseAddress!
        var i = r.lowerBound
        while i < r.upperBound {
          let n = Swift.min(512, r.upperBound - i)
          let q = p + i
          for j in 0..<n { t[j] = op(q[j]) }
          q.update(from: t, count: n)
          i += n
        }
      }
    }
  }

  /// `out = op(a, b)` broadcast to `shape` (which must be `Broadcast.shape(a.shape, b.shape)`).
  @inlinable @inline(__always)
  public static func zip<T, R: TensorScalar>(
    _ a: Tensor, _ b: Tensor, as type: T.Type, shape: [Int], _ op: (T, T) -> R
  ) -> Tensor {
    zip(a, b, as: T.self, T.self, shape: shape, op)
  }

  /// `out = op(a, b)` broadcast to `shape`, for inputs of different element types.
  @inlinable @inline(__always)
  public static func zip<T, U, R: TensorScalar>(
    _ a: Tensor, _ b: Tensor, as typeA: T.Type, _ typeB: U.Type, shape: [Int],
    _ op: (T, U) -> R
  ) -> Tensor {
    let out = Tensor(uninitialized: R.dtype, shape: shape)
    zip(a, b, shape: shape, into: out.buffer.pointer.assumingMemoryBound(to: R.self), op)
    return out
  }

  /// `a = op(a, b)` in place, `b` broadcast to `a`'s shape. The caller guarantees that `a`'s
  /// shape is the broadcast shape and that no other tensor shares its buffer.
  @inlinable @inline(__always)
  public static func zipInPlace<T>(_ a: inout Tensor, _ b: Tensor, as type: T.Type, _ op: (T, T) -> T) {
    zip(a, b, shape: a.shape, into: a.buffer.pointer.assumingMemoryBound(to: T.self), op)
  }

  /// `b = op(a, b)` in place, `a` broadcast to `b`'s shape (the mirror of `zipInPlace(_:_:)`).
  @inlinable @inline(__always)
  public static func zipInPlace<T>(_ a: Tensor, into b: inout Tensor, as type: T.Type, _ op: (T, T) -> T) {
    zip(a, b, shape: b.shape, into: b.buffer.pointer.assumingMemoryBound(to: T.self), op)
  }

  /// The body of the `zip` kernels: writes `op(a, b)` broadcast to `shape` into `dst`, which may
  /// be the buffer of an input of that shape (each element is read before it is written).
  @inlinable @inline(__always)
  static func zip<T, U, R>(
    _ a: Tensor, _ b: Tensor, shape: [Int], into dst: UnsafeMutablePointer<R>, _ op: (T, U) -> R
  ) {
    let n = Tensor.elementCount(shape)
    let x = a.buffer.pointer.assumingMemoryBound(to: T.self)
    let y = b.buffer.pointer.assumingMemoryBound(to: U.self)
    let na = a.count
    let nb = b.count
    // A count equal to the output's means the same row-major layout (only leading 1s differ).
    if na == n && nb == n {
      ParallelKernels.runChunks(n) { r in
        for i in r { dst[i] = op(x[i], y[i]) }
      }
    } else if na == n && nb == 1 {
      let s = y[0]
      ParallelKernels.runChunks(n) { r in
        for i in r { dst[i] = op(x[i], s) }
      }
    } else if na == 1 && nb == n {
      let s = x[0]
      ParallelKernels.runChunks(n) { r in
        for i in r { dst[i] = op(s, y[i]) }
      }
    } else {
      var rows = BroadcastRows(target: shape, shapes: [a.shape, b.shape])
      let count = rows.length
      let (sa, sb) = (rows.innerStrides[0], rows.innerStrides[1])
      for row in 0..<rows.count {
        let o = dst + row * count
        let p = x + rows.offsets[0]
        let q = y + rows.offsets[1]
        if sa == 1 && sb == 1 {
          for j in 0..<count { o[j] = op(p[j], q[j]) }
        } else if sa == 1 && sb == 0 {
          let v = q[0]
          for j in 0..<count { o[j] = op(p[j], v) }
        } else if sa == 0 && sb == 1 {
          let v = p[0]
          for j in 0..<count { o[j] = op(v, q[j]) }
        } else {
          for j in 0..<count { o[j] = op(p[j * sa], q[j * sb]) }
        }
        rows.advance()
      }
    }
  }

  /// `out = op(a, b, c)` broadcast to `shape` (the broadcast shape of the three inputs).
  @inlinable @inline(__always)
  public static func zip3<T, R: TensorScalar>(
    _ a: Tensor, _ b: Tensor, _ c: Tensor, as type: T.Type, shape: [Int], _ op: (T, T, T) -> R
  ) -> Tensor {
    let out = Tensor(uninitialized: R.dtype, shape: shape)
    let x = a.buffer.pointer.assumingMemoryBound(to: T.self)
    let y = b.buffer.pointer.assumingMemoryBound(to: T.self)
    let z = c.buffer.pointer.assumingMemoryBound(to: T.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: R.self)
    let n = out.count
    if a.count == n && b.count == n && c.count == n {
      for i in 0..<n { dst[i] = op(x[i], y[i], z[i]) }
      return out
    }
    var rows = BroadcastRows(target: shape, shapes: [a.shape, b.shape, c.shape])
    let count = rows.length
    let (si, sj, sk) = (rows.innerStrides[0], rows.innerStrides[1], rows.innerStrides[2])
    for row in 0..<rows.count {
      let o = dst + row * count
      let (p, q, r) = (x + rows.offsets[0], y + rows.offsets[1], z + rows.offsets[2])
      for t in 0..<count { o[t] = op(p[t * si], q[t * sj], r[t * sk]) }
      rows.advance()
    }
    return out
  }

  /// `out = condition ? x : y` broadcast to `shape`; `condition` is bool, `x` and `y` share a
  /// dtype of whole bytes (copied bit for bit).
  public static func select(_ condition: Tensor, _ x: Tensor, _ y: Tensor, shape: [Int]) -> Tensor {
    switch x.dtype.elementSize {
    case 1: return select(condition, x, y, shape: shape, carrier: UInt8.self)
    case 2: return select(condition, x, y, shape: shape, carrier: UInt16.self)
    case 4: return select(condition, x, y, shape: shape, carrier: UInt32.self)
    default: return select(condition, x, y, shape: shape, carrier: UInt64.self)
    }
  }

  static func select<C>(
    _ condition: Tensor, _ x: Tensor, _ y: Tensor, shape: [Int], carrier: C.Type
  ) -> Tensor {
    let out = Tensor(uninitialized: x.dtype, shape: shape)
    let c = condition.buffer.pointer.assumingMemoryBound(to: UInt8.self)
    let p = x.buffer.pointer.assumingMemoryBound(to: C.self)
    let q = y.buffer.pointer.assumingMemoryBound(to: C.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: C.self)
    var rows = BroadcastRows(target: shape, shapes: [condition.shape, x.shape, y.shape])
    let count = rows.length
    let (sc, sx, sy) = (rows.innerStrides[0], rows.innerStrides[1], rows.innerStrides[2])
    for row in 0..<rows.count {
      let o = dst + row * count
      let (pc, px, py) = (c + rows.offsets[0], p + rows.offsets[1], q + rows.offsets[2])
      for j in 0..<count { o[j] = pc[j * sc] != 0 ? px[j * sx] : py[j * sy] }
      rows.advance()
    }
    return out
  }

  // MARK: - Reference twins (index arithmetic per element; for tests)

  /// The naive twin of `zip`: each output element's input offsets are computed from its
  /// multi-index.
  public static func zipNaive<T, R: TensorScalar>(
    _ a: Tensor, _ b: Tensor, as type: T.Type, shape: [Int], _ op: (T, T) -> R
  ) -> Tensor {
    let out = Tensor(uninitialized: R.dtype, shape: shape)
    let x = a.buffer.pointer.assumingMemoryBound(to: T.self)
    let y = b.buffer.pointer.assumingMemoryBound(to: T.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: R.self)
    for i in 0..<out.count {
      dst[i] = op(x[naiveOffset(i, shape, a.shape)], y[naiveOffset(i, shape, b.shape)])
    }
    return out
  }

  /// The flat offset into a tensor of `inputShape` of output element `index` of `shape`.
  public static func naiveOffset(_ index: Int, _ shape: [Int], _ inputShape: [Int]) -> Int {
    var rem = index
    var coords = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) {
      coords[axis] = rem % shape[axis]
      rem /= shape[axis]
    }
    var offset = 0
    let lead = shape.count - inputShape.count
    for (k, d) in inputShape.enumerated() {
      offset = offset * d + (d == 1 ? 0 : coords[lead + k])
    }
    return offset
  }
}
