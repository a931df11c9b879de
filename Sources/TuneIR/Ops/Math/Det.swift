import TuneTensor

/// `Det`: determinants of the square matrices in the last two axes ([*, M, M] → [*]), by LU
/// decomposition with partial pivoting in double precision.
/// https://onnx.ai/onnx/operators/onnx__Det.html
public struct Det: Operator {
  public static let opType = "Det"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    guard x.dtype.isFloatingPoint else { throw OpError("expected a floating point input, got \(x.dtype)") }
    guard x.rank >= 2, x.shape[x.rank - 1] == x.shape[x.rank - 2] else {
      throw OpError("expected square matrices in the last two axes, got shape \(x.shape)")
    }
    let m = x.shape[x.rank - 1]
    let batch = Array(x.shape.dropLast(2))
    let values = x.converted(to: .double).elements(as: Double.self)
    var out = [Double](repeating: 0, count: batch.reduce(1, *))
    var a = [Double](repeating: 0, count: m * m)
    for b in out.indices {
      for i in 0..<(m * m) { a[i] = values[b * m * m + i] }
      var det = 1.0
      for col in 0..<m {
        var pivot = col
        for r in (col + 1)..<max(m, col + 1) where abs(a[r * m + col]) > abs(a[pivot * m + col]) { pivot = r }
        if a[pivot * m + col] == 0 {
          det = 0
          break
        }
        if pivot != col {
          for k in 0..<m { a.swapAt(pivot * m + k, col * m + k) }
          det = -det
        }
        let p = a[col * m + col]
        det *= p
        for r in (col + 1)..<max(m, col + 1) {
          let f = a[r * m + col] / p
          if f == 0 { continue }
          for k in col..<m { a[r * m + k] -= f * a[col * m + k] }
        }
      }
      out[b] = det
    }
    return [try Cast.convert(Tensor(out, shape: batch), to: x.dtype)]
  }
}
