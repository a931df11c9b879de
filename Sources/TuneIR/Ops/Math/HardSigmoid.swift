import TuneTensor

/// `HardSigmoid`: y = max(0, min(1, alpha · x + beta)).
/// https://onnx.ai/onnx/operators/onnx__HardSigmoid.html
public struct HardSigmoid: DifferentiableUnaryFloatOperator {
  public static let opType = "HardSigmoid"
  public var alpha: Float
  public var beta: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 0.2)
    beta = try node.float("beta", default: 0.5)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { Swift.max(0, Swift.min(1, T(alpha) * x + T(beta))) }
  public func derivative(_ x: Float, _ y: Float) -> Float { (alpha * x + beta > 0 && alpha * x + beta < 1) ? alpha : 0 }
}
