import TuneTensor

/// `Gelu`: y = x · Φ(x) = x/2 · (1 + erf(x/√2)), or with `approximate` = "tanh"
/// y = x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
/// https://onnx.ai/onnx/operators/onnx__Gelu.html
public struct Gelu: DifferentiableUnaryFloatOperator {
  public static let opType = "Gelu"
  public var tanhApproximation: Bool
  public init(node: Node, opset: Int) throws {
    let a = try node.string("approximate", default: "none")
    guard a == "none" || a == "tanh" else {
      throw OpError("attribute 'approximate' should be none or tanh, got \(a)")
    }
    tanhApproximation = a == "tanh"
  }
  public func apply<T: FloatScalar>(_ x: T) -> T {
    if tanhApproximation {
      let c = T(0.79788456080286535587989211986876)  // √(2/π)
      return x / 2 * (1 + T.tanh(c * (x + T(0.044715) * x * x * x)))
    }
    return x / 2 * (1 + T.erf(x * T(0.70710678118654752440084436210485)))
  }
  public func derivative(_ x: Float, _ y: Float) -> Float { geluDerivative(x) }

  func geluDerivative(_ x: Float) -> Float {
    if tanhApproximation {
      let c: Float = 0.79788456080286535587989211986876
      let t = Float.tanh(c * (x + 0.044715 * x * x * x))
      return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x)
    }
    let cdf = 0.5 * (1 + Float.erf(x * 0.70710678118654752440084436210485))
    let pdf = Float.exp(-0.5 * x * x) * 0.39894228040143267793994605993438
    return cdf + x * pdf
  }
}
