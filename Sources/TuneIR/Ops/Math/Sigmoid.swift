import TuneTensor

/// `Sigmoid`: y = 1 / (1 + e^-x), computed without overflow.
/// https://onnx.ai/onnx/operators/onnx__Sigmoid.html
public struct Sigmoid: DifferentiableUnaryFloatOperator {
  public static let opType = "Sigmoid"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T {
    // One exponential of -|x| and a select, so the loop vectorizes.
    let e = T.exp(-Swift.abs(x))
    return (x >= 0 ? 1 : e) / (1 + e)
  }
  public func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
