import TuneTensor

/// `Hardmax`: 1 at the first maximum along `axis` (opset 13+) or over the trailing block from
/// `axis` (before 13), 0 elsewhere.
/// https://onnx.ai/onnx/operators/onnx__Hardmax.html
public struct Hardmax: Operator {
  public static let opType = "Hardmax"
  var layout: SoftmaxLayout
  public init(node: Node, opset: Int) throws { layout = try SoftmaxLayout(node: node, opset: opset) }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [
      try layout.apply(MathSupport.required(inputs, 0)) { x, y, n, s in
        var best = 0
        for k in 0..<n {
          y[k * s] = 0
          if x[k * s] > x[best * s] { best = k }
        }
        if n > 0 { y[best * s] = 1 }
      }
    ]
  }
}
