import TuneTensor

/// `Softmax`: y = e^(x - max) / Σ e^(x - max) along `axis` (opset 13+) or over the trailing
/// block from `axis` (before 13).
/// https://onnx.ai/onnx/operators/onnx__Softmax.html
public struct Softmax: Operator {
  public static let opType = "Softmax"
  var layout: SoftmaxLayout
  public init(node: Node, opset: Int) throws { layout = try SoftmaxLayout(node: node, opset: opset) }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [
      try layout.apply(MathSupport.required(inputs, 0)) { x, y, n, s in
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, x[k * s]) }
        var sum: Float = 0
        for k in 0..<n {
          let e = Float.exp(x[k * s] - m)
          y[k * s] = e
          sum += e
        }
        let r = 1 / sum
        for k in 0..<n { y[k * s] *= r }
      }
    ]
  }
}
