import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// `Pow`: y = a^b with broadcasting; the exponent may have another numeric type and the
/// result has the base's type (mixed or integer cases are computed in double).
/// https://onnx.ai/onnx/operators/onnx__Pow.html
public struct Pow: DifferentiableBinaryOperator {
  public static let opType = "Pow"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    // Anything but float ^ float is computed in double at the broadcast shape.
    let wide: DType = a.dtype == .float && b.dtype == .float ? .float : .double
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: wide)
    if a.dtype == .float && b.dtype == .float {
      return [Elementwise.zip(a, b, as: Float.self, shape: shape) { Float.pow($0, $1) }]
    }
    guard a.dtype.numericScalarType != nil || a.dtype.isHalfPrecision else {
      throw MathSupport.unsupported(a.dtype)
    }
    guard b.dtype.numericScalarType != nil || b.dtype.isHalfPrecision else {
      throw MathSupport.unsupported(b.dtype)
    }
    let y = Elementwise.zip(
      a.converted(to: .double), b.converted(to: .double), as: Double.self, shape: shape
    ) { Glibc.pow($0, $1) }
    return [y.converted(to: a.dtype)]
  }

  /// ∂/∂a = b·a^(b-1); ∂/∂b = a^b·ln a (0 where a ≤ 0).
  public func partials(_ a: Float, _ b: Float) -> (Float, Float) {
    (b * Float.pow(a, b - 1), a > 0 ? Float.pow(a, b) * Float.log(a) : 0)
  }
}
