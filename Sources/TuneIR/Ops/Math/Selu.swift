import TuneTensor

/// `Selu`: y = gamma · x for x > 0, gamma · alpha · (e^x - 1) otherwise.
/// https://onnx.ai/onnx/operators/onnx__Selu.html
public struct Selu: DifferentiableUnaryFloatOperator {
  public static let opType = "Selu"
  public var alpha: Float
  public var gamma: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 1.67326319217681884765625)
    gamma = try node.float("gamma", default: 1.05070102214813232421875)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { x > 0 ? T(gamma) * x : T(gamma) * T(alpha) * T.expm1(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? gamma : y + gamma * alpha }
}
