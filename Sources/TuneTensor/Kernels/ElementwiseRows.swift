/// Row-by-row iteration over a broadcast, for kernels whose inner loops must inline their
/// element operation (a closure handed to a non-inlinable iterator is called per element).
///
/// Axes of size 1 are dropped and adjacent axes that every input traverses contiguously are
/// merged, so rows are as long as the layouts allow (a reduction over trailing axes becomes
/// one row per output element).
@usableFromInline
struct BroadcastRows {
  /// Elements per row.
  @usableFromInline let length: Int
  /// Number of rows.
  @usableFromInline let count: Int
  /// Per input, the element stride within a row (0 when broadcast along it).
  @usableFromInline let innerStrides: [Int]
  /// Per input, the offset of the current row's first element.
  @usableFromInline var offsets: [Int]
  @usableFromInline var index: [Int]
  @usableFromInline let outerShape: [Int]
  /// `outerStrides[axis][k]`: input k's stride along outer axis `axis`.
  @usableFromInline let outerStrides: [[Int]]

  @usableFromInline
  init(target: [Int], shapes: [[Int]]) {
    let k = shapes.count
    let all = shapes.map { Broadcast.strides(of: $0, broadcastTo: target) }
    // Keep axes longer than 1, then merge an axis into the next when every input's stride
    // along it equals (stride along the next) × (next's size).
    var dims: [Int] = []
    var strides: [[Int]] = []  // per kept axis, per input
    for axis in target.indices where target[axis] != 1 {
      let s = (0..<k).map { all[$0][axis] }
      if let last = dims.last, (0..<k).allSatisfy({ strides[strides.count - 1][$0] == s[$0] * target[axis] }) {
        dims[dims.count - 1] = last * target[axis]
        strides[strides.count - 1] = s
      } else {
        dims.append(target[axis])
        strides.append(s)
      }
    }
    let total = target.reduce(1, *)
    length = dims.last ?? 1
    count = total == 0 ? 0 : total / length
    innerStrides = strides.last ?? [Int](repeating: 0, count: k)
    outerShape = Array(dims.dropLast())
    outerStrides = Array(strides.dropLast())
    offsets = [Int](repeating: 0, count: k)
    index = [Int](repeating: 0, count: outerShape.count)
  }

  /// Moves to the next row (odometer over the outer axes).
  @usableFromInline
  mutating func advance() {
    var axis = outerShape.count - 1
    while axis >= 0 {
      index[axis] += 1
      let s = outerStrides[axis]
      for k in offsets.indices { offsets[k] += s[k] }
      if index[axis] < outerShape[axis] { return }
      for k in offsets.indices { offsets[k] -= s[k] * outerShape[axis] }
      index[axis] = 0
      axis -= 1
    }
  }
}
