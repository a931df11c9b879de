import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// ONNX `LpNormalization`: `x / ‖x‖_p` along `axis` (`p` 1 or 2); a zero norm gives 0.
/// https://onnx.ai/onnx/operators/onnx__LpNormalization.html
public struct LpNormalization: Operator {
  public static let opType = "LpNormalization"
  public var axis: Int
  public var p: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: -1)
    p = try node.int("p", default: 2)
    guard p == 1 || p == 2 else { throw OpError("p must be 1 or 2, got \(p)") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "input")
    let rank = xIn.rank
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < rank else { throw OpError("axis \(axis) is out of range for rank \(rank)") }
    let outer = xIn.shape[..<a].reduce(1, *)
    let n = xIn.shape[a]
    let inner = xIn.shape[(a + 1)...].reduce(1, *)
    var x = try NeuralSupport.asFloat(xIn, "input").elements(as: Float.self)
    for o in 0..<outer {
      for i in 0..<inner {
        var norm: Float = 0
        for j in 0..<n {
          let v = x[(o * n + j) * inner + i]
          norm += p == 1 ? abs(v) : v * v
        }
        if p == 2 { norm = norm.squareRoot() }
        for j in 0..<n {
          let at = (o * n + j) * inner + i
          x[at] = norm == 0 ? 0 : x[at] / norm
        }
      }
    }
    return [NeuralSupport.restore(Tensor(x, shape: xIn.shape), to: xIn.dtype)]
  }
}
