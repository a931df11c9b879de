/// NumPy-style (multidirectional) broadcasting, as ONNX defines it:
/// https://github.com/onnx/onnx/blob/main/docs/Broadcasting.md
public enum Broadcast {
  /// The broadcast shape of `shapes`, or nil when two dims differ and neither is 1.
  public static func shape(_ shapes: [Int]...) -> [Int]? { shape(of: shapes) }

  /// The broadcast shape of `shapes`, or nil when two dims differ and neither is 1.
  public static func shape(of shapes: [[Int]]) -> [Int]? {
    let rank = shapes.map(\.count).max() ?? 0
    var out = [Int](repeating: 1, count: rank)
    for s in shapes {
      let offset = rank - s.count
      for (i, d) in s.enumerated() {
        let o = out[offset + i]
        if o == d || d == 1 { continue }
        if o == 1 { out[offset + i] = d } else { return nil }
      }
    }
    return out
  }

  /// Element strides of `shape` when viewed with the broadcast shape `target` (0 along
  /// broadcast axes). `shape` must broadcast to `target`.
  public static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
    let offset = target.count - shape.count
    var strides = [Int](repeating: 0, count: target.count)
    var step = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      strides[offset + i] = shape[i] == 1 ? 0 : step
      step *= shape[i]
    }
    return strides
  }

  /// Calls `body(outputIndex, offsets)` for every element of `target` in row-major order,
  /// where `offsets[k]` is the flat element offset into input `k` (of shape `shapes[k]`).
  /// The innermost dimension is handed to `inner(outputStart, offsets, innerStrides, count)`
  /// in one call so kernels can loop tightly.
  public static func forEachRow(
    target: [Int], shapes: [[Int]],
    _ inner: (_ outputStart: Int, _ offsets: [Int], _ innerStrides: [Int], _ count: Int) -> Void
  ) {
    let total = Tensor.elementCount(target)
    if total == 0 { return }
    let allStrides = shapes.map { strides(of: $0, broadcastTo: target) }
    guard let last = target.last else {
      inner(0, [Int](repeating: 0, count: shapes.count), [Int](repeating: 0, count: shapes.count), 1)
      return
    }
    let innerStrides = allStrides.map { $0[target.count - 1] }
    let outerRank = target.count - 1
    var index = [Int](repeating: 0, count: outerRank)
    var offsets = [Int](repeating: 0, count: shapes.count)
    var outputStart = 0
    while outputStart < total {
      inner(outputStart, offsets, innerStrides, last)
      outputStart += last
      // Advance the outer index (odometer), updating offsets incrementally.
      var axis = outerRank - 1
      while axis >= 0 {
        index[axis] += 1
        for k in 0..<shapes.count { offsets[k] += allStrides[k][axis] }
        if index[axis] < target[axis] { break }
        for k in 0..<shapes.count { offsets[k] -= allStrides[k][axis] * target[axis] }
        index[axis] = 0
        axis -= 1
      }
    }
  }
}
