import TuneTensor

/// ONNX `GlobalLpPool`: `(Σ |x|^p)^(1/p)` over each `[N, C]` plane, spatial axes kept as 1.
/// https://onnx.ai/onnx/operators/onnx__GlobalLpPool.html
public struct GlobalLpPool: Operator {
  public static let opType = "GlobalLpPool"
  public var p: Float

  public init(node: Node, opset: Int) throws {
    p = opset < 2 ? try node.float("p", default: 2) : Float(try node.int("p", default: 2))
    guard p > 0 else { throw OpError("p must be positive, got \(p)") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    guard x.rank >= 3 else { throw OpError("X must be [N, C, D1, ...], got \(x.shape)") }
    let image = Array(x.shape[2...])
    let ones = Array(repeating: 1, count: image.count)
    let shape = PoolKernel.Shape(
      window: WindowGeometry(
        imageSpatial: image, outputSpatial: ones, kernel: image, strides: ones, dilations: ones,
        padsBegin: Array(repeating: 0, count: image.count)),
      padsEnd: Array(repeating: 0, count: image.count))
    return try PoolAttributes.run(.lp(p: p), shape: shape, x: x)
  }
}
