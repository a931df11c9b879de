import TuneTensor

/// `Clip`: y = min(max(x, min), max). Before opset 11 the bounds are the float attributes
/// `min`/`max`; from 11 they are optional scalar inputs of x's type (absent: unbounded).
/// When min > max every element becomes max, as in NumPy.
/// https://onnx.ai/onnx/operators/onnx__Clip.html
public struct Clip: DifferentiableOperator {
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
    guard x.dtype.numericScalarType != nil || x.dtype.isHalfPrecision else {
      throw MathSupport.unsupported(x.dtype)
    }
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
    if dtype == .float { return [Self.clipFloat(x, low, high)] }
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

  /// Float32 with scalar float bounds (ReLU6) in place when the input may be reused.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    // (No slice of `inputs` may stay alive here: it would keep X's buffer shared.)
    let scalarBounds = (1..<max(1, min(inputs.count, 3))).allSatisfy {
      inputs[$0] == nil || (inputs[$0]!.dtype == .float && inputs[$0]!.count == 1)
    }
    if scalarBounds, let s = inputs.first??.shape, var x = MathSupport.takeReusable(&inputs, 0, shape: s)
    {
      let lo = attributeMin ?? (inputs.count > 1 ? inputs[1]?.buffer.pointer.load(as: Float.self) : nil) ?? -.infinity
      let hi = attributeMax ?? (inputs.count > 2 ? inputs[2]?.buffer.pointer.load(as: Float.self) : nil) ?? .infinity
      Elementwise.mapInPlace(&x, as: Float.self) { Self.clip($0, lo, hi) }
      return [x]
    }
    return try forward(inputs, context: context)
  }

  /// NaN passes through: both comparisons are false for it (and the select vectorizes).
  @inline(__always) static func clip(_ v: Float, _ lo: Float, _ hi: Float) -> Float {
    let a = v < lo ? lo : v
    return a > hi ? hi : a
  }

  /// The float32 path (ReLU6 in MobileNets): one tight loop the compiler vectorizes.
  static func clipFloat(_ x: Tensor, _ low: Tensor?, _ high: Tensor?) -> Tensor {
    let lo = low.map { $0.buffer.pointer.load(as: Float.self) } ?? -.infinity
    let hi = high.map { $0.buffer.pointer.load(as: Float.self) } ?? .infinity
    return Elementwise.map(x, as: Float.self) { clip($0, lo, hi) }
  }

  func clip<T: NumericScalar>(_ x: Tensor, _ low: Tensor?, _ high: Tensor?, as type: T.Type) -> Tensor {
    let lo = low.map { $0.buffer.pointer.load(as: T.self) } ?? T.lowest
    let hi = high.map { $0.buffer.pointer.load(as: T.self) } ?? T.highest
    return Elementwise.map(x, as: T.self) { v in
      v.isNaNValue ? v : Swift.min(Swift.max(v, lo), hi)
    }
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    // The gradient passes where min ≤ x ≤ max (as PyTorch's clamp); bounds get none.
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return inputs.map { _ in nil }
    }
    let x = try MathGradients.float(inputs, 0)
    let bound = { (i: Int, attribute: Float?) -> Float? in
      if let a = attribute { return a }
      guard i < inputs.count, let t = inputs[i] else { return nil }
      return t.floatValues().first
    }
    let lo = bound(1, attributeMin) ?? -.infinity
    let hi = bound(2, attributeMax) ?? .infinity
    let dx = Elementwise.zip(g, x, as: Float.self, shape: g.shape) { g, x in x >= lo && x <= hi ? g : 0 }
    return [dx] + inputs.dropFirst().map { _ in nil }
  }
}
