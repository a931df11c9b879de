import TuneTensor

/// `Celu`: y = max(0, x) + min(0, alpha · (e^(x/alpha) - 1)).
/// https://onnx.ai/onnx/operators/onnx__Celu.html
public struct Celu: DifferentiableUnaryFloatOperator {
  public static let opType = "Celu"
  public var alpha: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 1)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { Swift.max(0, x) + Swift.min(0, T(alpha) * T.expm1(x / T(alpha))) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : Float.exp(x / alpha) }
}
