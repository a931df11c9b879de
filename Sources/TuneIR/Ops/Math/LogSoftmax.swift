import TuneTensor

/// `LogSoftmax`: y = x - max - ln Σ e^(x - max) along `axis` (opset 13+) or over the trailing
/// block from `axis` (before 13).
/// https://onnx.ai/onnx/operators/onnx__LogSoftmax.html
public struct LogSoftmax: DifferentiableOperator {
  public static let opType = "LogSoftmax"
  var layout: SoftmaxLayout
  public init(node: Node, opset: Int) throws { layout = try SoftmaxLayout(node: node, opset: opset) }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [
      try layout.apply(MathSupport.required(inputs, 0)) { x, y, n, s in
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, x[k * s]) }
        var sum: Float = 0
        for k in 0..<n { sum += Float.exp(x[k * s] - m) }
        let shift = m + Float.log(sum)
        for k in 0..<n { y[k * s] = x[k * s] - shift }
      }
    ]
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return [nil]
    }
    // dx = g - e^y · Σ g along each row.
    return [
      try layout.gradient(outputs[0].converted(to: .float), g) { y, g, dx, n, s in
        var sum: Float = 0
        for k in 0..<n { sum += g[k * s] }
        for k in 0..<n { dx[k * s] = g[k * s] - Float.exp(y[k * s]) * sum }
      }
    ]
  }
}
