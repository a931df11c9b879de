import TuneTensor

/// `Elu`: y = x for x > 0, alpha · (e^x - 1) otherwise.
/// https://onnx.ai/onnx/operators/onnx__Elu.html
public struct Elu: DifferentiableUnaryFloatOperator {
  public static let opType = "Elu"
  public var alpha: Float
  public init(node: Node, opset: Int) throws {
    alpha = try node.float("alpha", default: 1)
  }
  public func apply<T: FloatScalar>(_ x: T) -> T { x > 0 ? x : T(alpha) * T.expm1(x) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : y + alpha }
}
