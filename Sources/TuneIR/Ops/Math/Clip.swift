import TuneTensor

/// `Clip`: y = min(max(x, min), max). Before opset 11 the bounds are the float attributes
/// `min`/`max`; from 11 they are optional scalar inputs of x's type (absent: unbounded).
/// When min > max every element becomes max, as in NumPy.
/// https://onnx.ai/onnx/operators/onnx__Clip.html
public struct Clip: Operator {
  public static let opType = "Clip"
  /// Bounds from attributes (opset < 11).
  public var attributeMin: Float?
  public var attributeMax: Float?

  public init(node: Node, opset: Int) throws {
    if opset < 11 {
      attributeMin = try node.float("min", default: -Float.greatestFiniteMagnitude)
      attributeMax = try node.float("max", default: Float.greatestFiniteMagnitude)
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var x = try MathSupport.required(inputs, 0)
    var low = inputs.count > 1 ? inputs[1] : nil
    var high = inputs.count > 2 ? inputs[2] : nil
    if let m = attributeMin { low = Tensor(scalar: m).converted(to: x.dtype) }
    if let m = attributeMax { high = Tensor(scalar: m).converted(to: x.dtype) }
    for bound in [low, high] {
      guard let b = bound else { continue }
      guard b.count == 1 else { throw OpError("expected a scalar bound, got shape \(b.shape)") }
      try MathSupport.sameDType(x, b)
    }
    let dtype = x.dtype
    if dtype.isHalfPrecision {
      x = x.converted(to: .float)
      low = low?.converted(to: .float)
      high = high?.converted(to: .float)
    }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    let y =
      x.dtype == .float
      ? clip(x, low, high, as: Float.self) : clip(x, low, high, as: type)
    return [y.converted(to: dtype)]
  }

  func clip<T: NumericScalar>(_ x: Tensor, _ low: Tensor?, _ high: Tensor?, as type: T.Type) -> Tensor {
    let lo = low.map { $0.buffer.pointer.load(as: T.self) } ?? T.lowest
    let hi = high.map { $0.buffer.pointer.load(as: T.self) } ?? T.highest
    return Elementwise.map(x, as: T.self) { v in
      v.isNaNValue ? v : Swift.min(Swift.max(v, lo), hi)
    }
  }
}
