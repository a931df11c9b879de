import TuneTensor

/// `Cast`: converts elements to the dtype `to` (float to integer truncates toward zero, to
/// bool is `!= 0`). Supported: float, double, float16, bfloat16, the integer types, bool, the
/// float8 types (`saturate`, default 1, opset 19+), float8e8m0 (`round_mode`, default "up"),
/// float4e2m1 and the packed 4- and 2-bit integers. Strings are rejected with an error.
/// https://onnx.ai/onnx/operators/onnx__Cast.html
public struct Cast: DifferentiableOperator {
  public static let opType = "Cast"
  public var to: DType
  public var saturate: Bool
  public var roundMode: String
  public init(node: Node, opset: Int) throws {
    saturate = try node.int("saturate", default: 1) != 0
    roundMode = try node.string("round_mode", default: "up")
    guard ["up", "down", "nearest"].contains(roundMode) else {
      throw OpError("attribute 'round_mode' should be up, down or nearest, got \(roundMode)")
    }
    guard let raw = try node.intIfPresent("to") else { throw OpError("attribute 'to' is required") }
    guard let t = Int32(exactly: raw).flatMap(DType.init(rawValue:)) else {
      throw OpError("attribute 'to' is not a known element type: \(raw)")
    }
    to = t
  }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try Cast.convert(MathSupport.required(inputs, 0), to: to, saturate: saturate, roundMode: roundMode)]
  }

  /// Whether `Cast` converts from or to `dtype`.
  public static func supports(_ dtype: DType) -> Bool {
    dtype.numericScalarType != nil || dtype.isHalfPrecision || dtype == .bool
      || Elementwise.isSmallType(dtype)
  }

  /// `x` converted to `dtype`, or an error for types `Cast` does not convert.
  public static func convert(
    _ x: Tensor, to dtype: DType, saturate: Bool = true, roundMode: String = "up"
  ) throws -> Tensor {
    if x.dtype == dtype { return x }
    guard supports(x.dtype), supports(dtype) else {
      throw OpError("cast from \(x.dtype) to \(dtype) is not supported")
    }
    if Elementwise.isSmallType(x.dtype) {
      return try convert(Elementwise.decodeSmall(x), to: dtype, saturate: saturate, roundMode: roundMode)
    }
    if Elementwise.isSmallType(dtype) {
      let f = try convert(x, to: .float)
      return Elementwise.encodeSmall(f, to: dtype, saturate: saturate, roundMode: roundMode)
    }
    switch (x.dtype, dtype) {
    case (.double, .float16):
      // Directly, without rounding twice through float.
      return Elementwise.map(x, as: Double.self) { Float16($0) }
    case (.float, .bfloat16):
      let out = Elementwise.map(x, as: Float.self) { BFloat16($0).bits }
      return Tensor(dtype: .bfloat16, shape: x.shape, buffer: out.buffer)
    case (.float, .float16):
      return Elementwise.map(x, as: Float.self) { Float16($0) }
    case (.float16, .float):
      return Elementwise.map(x, as: Float16.self) { Float($0) }
    case (.float, .int64):
      return Elementwise.map(x, as: Float.self) { Int64(clamping: Double($0)) }
    case (.int64, .float):
      return Elementwise.map(x, as: Int64.self) { Float($0) }
    case (.int64, .int32):
      return Elementwise.map(x, as: Int64.self) { Int32(truncatingIfNeeded: $0) }
    case (.int32, .int64):
      return Elementwise.map(x, as: Int32.self) { Int64($0) }
    default:
      return x.converted(to: dtype)
    }
  }

  /// The gradient converted back to the input's floating point type (none for other types).
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    let rest = [Tensor?](repeating: nil, count: 0)
    guard needed.first == true, let g = outputGradients.first ?? nil,
      let x = inputs.first ?? nil, x.dtype.isFloatingPoint, g.dtype.isFloatingPoint
    else { return [nil] + rest }
    return [g.converted(to: x.dtype)] + rest
  }
}
