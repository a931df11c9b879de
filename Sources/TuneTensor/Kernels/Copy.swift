#if canImport(Glibc)
  import Glibc
#endif

/// Dtype-agnostic data movement: elements are copied by their byte size (strings by value), so
/// every kernel here works for any element type of at least one byte and for strings.
///
/// Callers check `CopyKernel.canMove(_:)` first: packed sub-byte types (int4, uint4, ...) are
/// not supported and the kernels `precondition` on them.
public enum CopyKernel {
  /// True when the kernels can move elements of `dtype` (strings and types of >= 1 byte).
  public static func canMove(_ dtype: DType) -> Bool { dtype == .string || dtype.elementSize > 0 }

  /// An empty tensor of `dtype` and `shape` ready to be filled (strings start empty).
  static func makeOutput(_ dtype: DType, shape: [Int]) -> Tensor {
    dtype == .string
      ? Tensor(zeros: .string, shape: shape) : Tensor(uninitialized: dtype, shape: shape)
  }

  // MARK: - Strided views

  /// A contiguous copy of the strided view of `source`: output element at index `i` is source
  /// element `offset + Σ i[k] * strides[k]`. Strides may be negative (reversed slices) or 0
  /// (broadcast), which covers Transpose, Slice, Expand and Tile.
  ///
  /// - Parameters:
  ///   - source: the tensor to read.
  ///   - shape: the output shape (its rank is that of `strides`).
  ///   - offset: the flat element index of output element 0 in `source`.
  ///   - strides: element strides into `source` per output axis.
  public static func strided(_ source: Tensor, shape: [Int], offset: Int, strides: [Int]) -> Tensor
  {
    precondition(canMove(source.dtype) && shape.count == strides.count)
    var out = makeOutput(source.dtype, shape: shape)
    let total = Tensor.elementCount(shape)
    if total == 0 { return out }
    let (dims, st) = collapse(shape: shape, strides: strides)
    if source.dtype == .string {
      var k = 0
      forEachRow(dims: dims, strides: st, offset: offset) { start, step, count in
        for j in 0..<count { out.strings[k + j] = source.strings[start + j * step] }
        k += count
      }
      return out
    }
    let size = source.dtype.elementSize
    let src = source.buffer.pointer
    let dst = out.buffer.pointer
    // Blocked 2-D transpose of the two innermost axes when the source is contiguous along the
    // second-to-last one (NCHW -> NHWC and matrix transposes).
    if dims.count >= 2, st[dims.count - 2] == 1, st[dims.count - 1] != 1,
      dims[dims.count - 1] * dims[dims.count - 2] >= 64
    {
      let rows = dims[dims.count - 2]
      let cols = dims[dims.count - 1]
      let colStride = st[dims.count - 1]
      var k = 0
      forEachBlock(dims: Array(dims.dropLast(2)), strides: Array(st.dropLast(2)), offset: offset) {
        base in
        switch size {
        case 1: transposeTile(UInt8.self, src, dst, base, k, rows, cols, colStride)
        case 2: transposeTile(UInt16.self, src, dst, base, k, rows, cols, colStride)
        case 4: transposeTile(UInt32.self, src, dst, base, k, rows, cols, colStride)
        case 8: transposeTile(UInt64.self, src, dst, base, k, rows, cols, colStride)
        default:
          for r in 0..<rows {
            for c in 0..<cols {
              memcpy(dst + (k + r * cols + c) * size, src + (base + r + c * colStride) * size, size)
            }
          }
        }
        k += rows * cols
      }
      return out
    }
    var k = 0
    forEachRow(dims: dims, strides: st, offset: offset) { start, step, count in
      if step == 1 {
        memcpy(dst + k * size, src + start * size, count * size)
      } else {
        switch size {
        case 1: copyRow(UInt8.self, src, dst, start, step, k, count)
        case 2: copyRow(UInt16.self, src, dst, start, step, k, count)
        case 4: copyRow(UInt32.self, src, dst, start, step, k, count)
        case 8: copyRow(UInt64.self, src, dst, start, step, k, count)
        default:
          for j in 0..<count { memcpy(dst + (k + j) * size, src + (start + j * step) * size, size) }
        }
      }
      k += count
    }
    return out
  }

  /// The naive twin of `strided`: one element at a time through full index arithmetic.
  public static func stridedNaive(_ source: Tensor, shape: [Int], offset: Int, strides: [Int])
    -> Tensor
  {
    var out = makeOutput(source.dtype, shape: shape)
    let total = Tensor.elementCount(shape)
    let size = source.dtype.elementSize
    for i in 0..<total {
      var rest = i
      var s = offset
      for axis in stride(from: shape.count - 1, through: 0, by: -1) {
        s += (rest % shape[axis]) * strides[axis]
        rest /= shape[axis]
      }
      if source.dtype == .string {
        out.strings[i] = source.strings[s]
      } else {
        memcpy(out.buffer.pointer + i * size, source.buffer.pointer + s * size, size)
      }
    }
    return out
  }

  /// `source` with its axes permuted: output axis `k` is input axis `perm[k]` (ONNX Transpose).
  public static func transpose(_ source: Tensor, perm: [Int]) -> Tensor {
    let inStrides = contiguousStrides(source.shape)
    return strided(
      source, shape: perm.map { source.shape[$0] }, offset: 0, strides: perm.map { inStrides[$0] })
  }

  /// Row-major element strides of a contiguous tensor of `shape`.
  public static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var strides = [Int](repeating: 1, count: shape.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[i] = step
      step *= shape[i]
    }
    return strides
  }

  /// Drops unit axes and merges neighbours that are contiguous with each other.
  static func collapse(shape: [Int], strides: [Int]) -> ([Int], [Int]) {
    var dims: [Int] = []
    var st: [Int] = []
    for (d, s) in zip(shape, strides) where d != 1 {
      if let last = dims.last, st[st.count - 1] == s * d {
        dims[dims.count - 1] = last * d
        st[st.count - 1] = s
      } else {
        dims.append(d)
        st.append(s)
      }
    }
    if dims.isEmpty { return ([1], [1]) }
    return (dims, st)
  }

  /// Calls `body(sourceStart, step, count)` for each innermost row, in row-major output order.
  static func forEachRow(
    dims: [Int], strides: [Int], offset: Int, _ body: (Int, Int, Int) -> Void
  ) {
    let count = dims[dims.count - 1]
    let step = strides[strides.count - 1]
    forEachBlock(dims: Array(dims.dropLast()), strides: Array(strides.dropLast()), offset: offset) {
      body($0, step, count)
    }
  }

  /// Calls `body(sourceOffset)` for every index of `dims` (once for an empty `dims`).
  static func forEachBlock(dims: [Int], strides: [Int], offset: Int, _ body: (Int) -> Void) {
    if dims.contains(0) { return }
    var index = [Int](repeating: 0, count: dims.count)
    var s = offset
    while true {
      body(s)
      var axis = dims.count - 1
      while axis >= 0 {
        index[axis] += 1
        s += strides[axis]
        if index[axis] < dims[axis] { break }
        s -= strides[axis] * dims[axis]
        index[axis] = 0
        axis -= 1
      }
      if axis < 0 { return }
    }
  }

  @inline(__always)
  static func copyRow<T>(
    _: T.Type, _ src: UnsafeMutableRawPointer, _ dst: UnsafeMutableRawPointer, _ start: Int,
    _ step: Int, _ k: Int, _ count: Int
  ) {
    let s = src.assumingMemoryBound(to: T.self) + start
    let d = dst.assumingMemoryBound(to: T.self) + k
    for j in 0..<count { d[j] = s[j * step] }
  }

  /// dst[k + r*cols + c] = src[base + r + c*colStride], in 32x32 tiles.
  static func transposeTile<T>(
    _: T.Type, _ src: UnsafeMutableRawPointer, _ dst: UnsafeMutableRawPointer, _ base: Int,
    _ k: Int,
    _ rows: Int, _ cols: Int, _ colStride: Int
  ) {
    let s = src.assumingMemoryBound(to: T.self) + base
    let d = dst.assumingMemoryBound(to: T.self) + k
    let tile = 32
    var r0 = 0
    while r0 < rows {
      let r1 = min(r0 + tile, rows)
      var c0 = 0
      while c0 < cols {
        let c1 = min(c0 + tile, cols)
        for r in r0..<r1 {
          for c in c0..<c1 { d[r * cols + c] = s[r + c * colStride] }
        }
        c0 = c1
      }
      r0 = r1
    }
  }

  // MARK: - Gathers

  /// A tensor of `shape` made of blocks of `blockSize` contiguous elements: output block `i`
  /// is source block `sourceBlocks[i]`, or the single element `fill` repeated (zero bytes when
  /// `fill` is nil) when that index is negative. Gather, GatherND, GatherElements (block size 1) and Pad use it.
  public static func gatherBlocks(
    _ source: Tensor, blockSize: Int, sourceBlocks: [Int], shape: [Int], fill: Tensor? = nil
  ) -> Tensor {
    precondition(canMove(source.dtype))
    precondition(Tensor.elementCount(shape) == sourceBlocks.count * blockSize)
    var out = makeOutput(source.dtype, shape: shape)
    if source.dtype == .string {
      let f = fill?.strings.first ?? []
      for (i, b) in sourceBlocks.enumerated() {
        for j in 0..<blockSize {
          out.strings[i * blockSize + j] = b < 0 ? f : source.strings[b * blockSize + j]
        }
      }
      return out
    }
    let size = source.dtype.elementSize
    let bytes = blockSize * size
    let src = source.buffer.pointer
    let dst = out.buffer.pointer
    if bytes == size && (size == 4 || size == 8) && fill == nil {
      if size == 4 {
        let s = src.assumingMemoryBound(to: UInt32.self)
        let d = dst.assumingMemoryBound(to: UInt32.self)
        for (i, b) in sourceBlocks.enumerated() { d[i] = b >= 0 ? s[b] : 0 }
      } else {
        let s = src.assumingMemoryBound(to: UInt64.self)
        let d = dst.assumingMemoryBound(to: UInt64.self)
        for (i, b) in sourceBlocks.enumerated() { d[i] = b >= 0 ? s[b] : 0 }
      }
      return out
    }
    for (i, b) in sourceBlocks.enumerated() {
      if b >= 0 {
        memcpy(dst + i * bytes, src + b * bytes, bytes)
      } else if let fill {
        for j in 0..<blockSize { memcpy(dst + i * bytes + j * size, fill.buffer.pointer, size) }
      } else {
        memset(dst + i * bytes, 0, bytes)
      }
    }
    return out
  }

  /// Copies the contiguous `source` into the box of `destination` (same rank) whose first
  /// element is at index `start`; the box must lie inside `destination`. Rows are copied with
  /// `memcpy`, so a constant Pad is a fill plus one pass over the data.
  public static func place(_ source: Tensor, into destination: inout Tensor, at start: [Int]) {
    precondition(canMove(source.dtype) && source.dtype == destination.dtype)
    precondition(start.count == destination.rank && source.rank == destination.rank)
    precondition(
      (0..<start.count).allSatisfy {
        start[$0] >= 0 && start[$0] + source.shape[$0] <= destination.shape[$0]
      })
    if source.count == 0 { return }
    let strides = contiguousStrides(destination.shape)
    let offset = zip(start, strides).reduce(0) { $0 + $1.0 * $1.1 }
    let row = source.shape.last ?? 1
    let outerDims = Array(source.shape.dropLast())
    let outerStrides = Array(strides.dropLast())
    var k = 0
    if source.dtype == .string {
      forEachBlock(dims: outerDims, strides: outerStrides, offset: offset) { base in
        for j in 0..<row { destination.strings[base + j] = source.strings[k + j] }
        k += row
      }
      return
    }
    destination.makeUnique()
    let size = source.dtype.elementSize
    let src = source.buffer.pointer
    let dst = destination.buffer.pointer
    forEachBlock(dims: outerDims, strides: outerStrides, offset: offset) { base in
      memcpy(dst + base * size, src + k * size, row * size)
      k += row
    }
  }

  /// `parts` joined along `axis`; all parts share dtype and every other dimension.
  public static func concat(_ parts: [Tensor], axis: Int) -> Tensor {
    precondition(!parts.isEmpty)
    let dtype = parts[0].dtype
    precondition(canMove(dtype))
    var shape = parts[0].shape
    shape[axis] = parts.reduce(0) { $0 + $1.shape[axis] }
    var out = makeOutput(dtype, shape: shape)
    let outer = Tensor.elementCount(Array(shape[..<axis]))
    let inner = Tensor.elementCount(Array(shape[(axis + 1)...]))
    let outRow = shape[axis] * inner
    var column = 0
    for p in parts {
      let row = p.shape[axis] * inner
      if row == 0 { continue }
      if dtype == .string {
        for o in 0..<outer {
          for j in 0..<row { out.strings[o * outRow + column + j] = p.strings[o * row + j] }
        }
      } else {
        let size = dtype.elementSize
        for o in 0..<outer {
          memcpy(
            out.buffer.pointer + (o * outRow + column) * size, p.buffer.pointer + o * row * size,
            row * size)
        }
      }
      column += row
    }
    return out
  }

  /// A tensor of `shape` with every element equal to the single element of `value`.
  public static func filled(_ value: Tensor, shape: [Int]) -> Tensor {
    precondition(canMove(value.dtype) && value.count == 1)
    let n = Tensor.elementCount(shape)
    if value.dtype == .string {
      return Tensor(strings: Array(repeating: value.strings[0], count: n), shape: shape)
    }
    let out = Tensor(uninitialized: value.dtype, shape: shape)
    let size = value.dtype.elementSize
    let v = value.buffer.pointer
    let d = out.buffer.pointer
    if n > 0 {
      memcpy(d, v, size)
      // Doubling fill.
      var done = 1
      while done < n {
        let c = min(done, n - done)
        memcpy(d + done * size, d, c * size)
        done += c
      }
    }
    return out
  }
}
