import TuneTensor

/// ONNX `Trilu`: the upper (`upper` = 1, default) or lower triangle of the last two axes,
/// offset by the optional diagonal `k`; other elements become zero.
/// https://onnx.ai/onnx/operators/onnx__Trilu.html
public struct Trilu: DataMovementGradient {
  public static let opType = "Trilu"
  public var upper: Bool

  public init(node: Node, opset: Int) throws {
    upper = try node.int("upper", default: 1) != 0
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    let k =
      try ShapeSupport.optionalInput(inputs, 1).map { try ShapeSupport.scalarInt($0, "k") } ?? 0
    guard x.rank >= 2 else { throw OpError("input should have rank >= 2, got \(x.shape)") }
    guard x.dtype.elementSize > 0 else { throw OpError("Trilu does not support \(x.dtype)") }
    var out = x
    out.makeUnique()
    let rows = x.shape[x.rank - 2]
    let cols = x.shape[x.rank - 1]
    let size = x.dtype.elementSize
    let matrices = rows * cols == 0 ? 0 : x.count / (rows * cols)
    for m in 0..<matrices {
      for i in 0..<rows {
        for j in 0..<cols {
          let keep = upper ? j - i >= k : j - i <= k
          if !keep { memset(out.buffer.pointer + ((m * rows + i) * cols + j) * size, 0, size) }
        }
      }
    }
    return [out]
  }
}

#if canImport(Glibc)
  import Glibc
#endif
