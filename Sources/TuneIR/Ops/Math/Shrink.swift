import TuneTensor

/// `Shrink`: y = x + bias for x < -lambd, x - bias for x > lambd, 0 otherwise.
/// https://onnx.ai/onnx/operators/onnx__Shrink.html
public struct Shrink: DifferentiableUnaryNumericOperator {
  public static let opType = "Shrink"
  public var lambd: Float
  public var bias: Float
  public init(node: Node, opset: Int) throws {
    lambd = try node.float("lambd", default: 0.5)
    bias = try node.float("bias", default: 0)
  }
  public func apply<T: NumericScalar>(_ x: T) -> T {
    let v = x.doubleValue
    let l = Double(lambd)
    if v < -l { return T(clamping: v + Double(bias)) }
    if v > l { return T(clamping: v - Double(bias)) }
    return T.zero
  }
  public func derivative(_ x: Float, _ y: Float) -> Float { Swift.abs(x) > lambd ? 1 : 0 }
}
