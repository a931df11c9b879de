import TuneTensor

/// `HardSwish`: y = x · max(0, min(1, x/6 + 1/2)).
/// https://onnx.ai/onnx/operators/onnx__HardSwish.html
public struct HardSwish: DifferentiableUnaryFloatOperator {
  public static let opType = "HardSwish"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x * Swift.max(0, Swift.min(1, x / 6 + T(0.5))) }
  public func derivative(_ x: Float, _ y: Float) -> Float { x < -3 ? 0 : (x > 3 ? 1 : x / 3 + 0.5) }
}
