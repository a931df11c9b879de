import TuneTensor

/// ONNX `NonZero`: the coordinates of the non-zero elements, as an int64 tensor
/// `[rank, count]` in row-major order (like `numpy.nonzero`).
/// https://onnx.ai/onnx/operators/onnx__NonZero.html
public struct NonZero: Operator {
  public static let opType = "NonZero"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "X")
    guard x.dtype.isInteger || x.dtype.isFloatingPoint || x.dtype == .bool else {
      throw OpError("NonZero does not support \(x.dtype)")
    }
    let load = Tensor.loader(x.dtype)
    let found = (0..<x.count).filter { load(x.buffer.pointer, $0) != 0 }
    let r = x.rank
    var out = [Int64](repeating: 0, count: r * found.count)
    for (n, flat) in found.enumerated() {
      var rest = flat
      for a in stride(from: r - 1, through: 0, by: -1) {
        out[a * found.count + n] = Int64(rest % x.shape[a])
        rest /= x.shape[a]
      }
    }
    return [Tensor(out, shape: [r, found.count])]
  }
}
