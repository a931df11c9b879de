import TuneTensor

/// ONNX `LpPool`: `(Σ |x|^p)^(1/p)` over each window (`p` an int from opset 2, a float in 1).
/// https://onnx.ai/onnx/operators/onnx__LpPool.html
public struct LpPool: Operator {
  public static let opType = "LpPool"
  var attributes: PoolAttributes
  public var p: Float

  public init(node: Node, opset: Int) throws {
    attributes = try PoolAttributes(node: node)
    if opset < 2 {
      p = try node.float("p", default: 2)
    } else {
      p = Float(try node.int("p", default: 2))
    }
    guard p > 0 else { throw OpError("p must be positive, got \(p)") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let shape = try attributes.shape(input: x.shape)
    return try PoolAttributes.run(.lp(p: p), shape: shape, x: x)
  }
}
