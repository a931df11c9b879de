/// Separable resampling (ONNX Resize / Upsample): every mode the spec has — nearest, linear,
/// cubic, with or without antialiasing — is a per-axis weighted sum of input rows, so an N-D
/// resize is one 1-D pass per resized axis.
///
/// An `AxisTable` gives, for each output index along one axis, `taps` input indices (already
/// clamped) and weights, plus whether the position is extrapolated (`tf_crop_and_resize`
/// outside the ROI, which takes `extrapolationValue`). `resizeNaive` evaluates the full tensor
/// product per output element and is the reference twin of the axis-by-axis `resize`.
public enum ResizeKernel {
  public struct AxisTable: Sendable {
    public var inputSize: Int
    public var outputSize: Int
    public var taps: Int
    /// `outputSize · taps` clamped input indices.
    public var indices: [Int]
    /// `outputSize · taps` weights.
    public var weights: [Float]
    /// Per output index: true when the position is outside the ROI (extrapolated).
    public var extrapolated: [Bool]

    public init(inputSize: Int, outputSize: Int, taps: Int, indices: [Int], weights: [Float], extrapolated: [Bool]) {
      self.inputSize = inputSize
      self.outputSize = outputSize
      self.taps = taps
      self.indices = indices
      self.weights = weights
      self.extrapolated = extrapolated
    }

    /// True when the table maps every index to itself with weight 1.
    public var isIdentity: Bool {
      guard inputSize == outputSize, !extrapolated.contains(true) else { return false }
      for o in 0..<outputSize {
        for t in 0..<taps {
          let w = weights[o * taps + t]
          if w != 0 && (indices[o * taps + t] != o || w != 1) { return false }
        }
      }
      return true
    }
  }

  /// Resizes `input` (shape `shape`) along each axis with a table (nil = unchanged), returning
  /// the new buffer and shape.
  public static func resize(
    _ input: [Float], shape: [Int], tables: [AxisTable?], extrapolationValue: Float
  ) -> (values: [Float], shape: [Int]) {
    var data = input
    var current = shape
    for (axis, table) in tables.enumerated() {
      guard let table, !table.isIdentity else { continue }
      let outer = current[..<axis].reduce(1, *)
      let inner = current[(axis + 1)...].reduce(1, *)
      var next = current
      next[axis] = table.outputSize
      var out = [Float](repeating: 0, count: outer * table.outputSize * inner)
      data.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBufferPointer { dst in
          table.indices.withUnsafeBufferPointer { idx in
            table.weights.withUnsafeBufferPointer { wts in
              let s = src.baseAddress!
              let d = dst.baseAddress!
              let inSize = table.inputSize
              let outSize = table.outputSize
              let taps = table.taps
              ParallelKernels.run(outer, cost: outSize * inner * taps) { o in
                for j in 0..<outSize {
                  let row = d + (o * outSize + j) * inner
                  if table.extrapolated[j] {
                    row.update(repeating: extrapolationValue, count: inner)
                    continue
                  }
                  row.update(repeating: 0, count: inner)
                  for t in 0..<taps {
                    let w = wts[j * taps + t]
                    if w == 0 { continue }
                    let from = s + (o * inSize + idx[j * taps + t]) * inner
                    for i in 0..<inner { row[i] += w * from[i] }
                  }
                }
              }
            }
          }
        }
      }
      data = out
      current = next
    }
    return (data, current)
  }

  /// Reference twin of `resize`: each output element is the full tensor-product sum
  /// (accumulated in Double); any extrapolated coordinate gives `extrapolationValue`.
  public static func resizeNaive(
    _ input: [Float], shape: [Int], tables: [AxisTable?], extrapolationValue: Float
  ) -> (values: [Float], shape: [Int]) {
    let rank = shape.count
    let outShape = (0..<rank).map { tables[$0]?.outputSize ?? shape[$0] }
    let total = outShape.reduce(1, *)
    var out = [Float](repeating: 0, count: total)
    for flat in 0..<total {
      let o = Im2Col.unflatten(flat, outShape)
      if (0..<rank).contains(where: { tables[$0]?.extrapolated[o[$0]] ?? false }) {
        out[flat] = extrapolationValue
        continue
      }
      // Enumerate every tap combination.
      let tapCounts = (0..<rank).map { tables[$0]?.taps ?? 1 }
      let combos = tapCounts.reduce(1, *)
      var sum = 0.0
      for c in 0..<combos {
        let t = Im2Col.unflatten(c, tapCounts)
        var weight = 1.0
        var index = 0
        for d in 0..<rank {
          let (i, w): (Int, Float) =
            tables[d].map { ($0.indices[o[d] * $0.taps + t[d]], $0.weights[o[d] * $0.taps + t[d]]) } ?? (o[d], 1)
          weight *= Double(w)
          index = index * shape[d] + i
        }
        sum += weight * Double(input[index])
      }
      out[flat] = Float(sum)
    }
    return (out, outShape)
  }
}
