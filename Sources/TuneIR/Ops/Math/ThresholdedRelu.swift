import TuneTensor

/// `ThresholdedRelu`: y = x for x > alpha, 0 otherwise.
/// https://onnx.ai/onnx/operators/onnx__ThresholdedRelu.html
public struct ThresholdedRelu: DifferentiableUnaryFloatOperator {
  public static let opType = "ThresholdedRelu"
  public var alpha: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 1)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { x > T(alpha) ? x : 0 }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > alpha ? 1 : 0 }
}
