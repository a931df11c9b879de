import TuneTensor

/// `Softmax`: y = e^(x - max) / Σ e^(x - max) along `axis` (opset 13+) or over the trailing
/// block from `axis` (before 13).
/// https://onnx.ai/onnx/operators/onnx__Softmax.html
public struct Softmax: DifferentiableOperator {
  public static let opType = "Softmax"
  var layout: SoftmaxLayout
  public init(node: Node, opset: Int) throws { layout = try SoftmaxLayout(node: node, opset: opset) }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [
      try layout.apply(MathSupport.required(inputs, 0)) { x, y, n, s in
        var m = -Float.infinity
        for k in 0..<n { m = Swift.max(m, x[k * s]) }
        if s == 1 {
          for k in 0..<n { y[k] = Float.exp(x[k] - m) }
        } else {
          for k in 0..<n { y[k * s] = Float.exp(x[k * s] - m) }
        }
        var sum: Float = 0
        for k in 0..<n { sum += y[k * s] }
        let r = 1 / sum
        for k in 0..<n { y[k * s] *= r }
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
    // dx = y · (g - Σ g·y) along each row.
    return [
      try layout.gradient(outputs[0].converted(to: .float), g) { y, g, dx, n, s in
        var dot: Float = 0
        for k in 0..<n { dot += g[k * s] * y[k * s] }
        for k in 0..<n { dx[k * s] = y[k * s] * (g[k * s] - dot) }
      }
    ]
  }
}
