import TuneTensor

/// `LeakyRelu`: y = x for x ≥ 0, alpha · x otherwise.
/// https://onnx.ai/onnx/operators/onnx__LeakyRelu.html
public struct LeakyRelu: DifferentiableUnaryFloatOperator {
  public static let opType = "LeakyRelu"
  public var alpha: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 0.01)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { x >= 0 ? x : T(alpha) * x }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : alpha }
}
