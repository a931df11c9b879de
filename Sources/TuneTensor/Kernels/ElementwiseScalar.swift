#if canImport(Glibc)
  import Glibc
#endif

/// Scalar types the elementwise kernels compute with natively: the ONNX integer types, float
/// and double. (float16 and bfloat16 are computed in float32 by the ops.)
///
/// The operations follow ONNX semantics and never trap: integer arithmetic wraps, integer
/// division or modulo by zero gives 0, and min/max propagate NaN as NumPy does.
public protocol NumericScalar: TensorScalar, Comparable {
  static var zero: Self { get }
  static var one: Self { get }
  /// The smallest value (-inf for floating point), the identity of `maximum`.
  static var lowest: Self { get }
  /// The largest value (+inf for floating point), the identity of `minimum`.
  static var highest: Self { get }
  static func add(_ a: Self, _ b: Self) -> Self
  static func subtract(_ a: Self, _ b: Self) -> Self
  static func multiply(_ a: Self, _ b: Self) -> Self
  /// Floating point division; integer division truncating toward zero (0 when dividing by 0).
  static func divide(_ a: Self, _ b: Self) -> Self
  /// `fmod` (sign of the dividend) when `fmod` is true, else Python's `%` (sign of the divisor).
  static func remainder(_ a: Self, _ b: Self, fmod: Bool) -> Self
  static func minimum(_ a: Self, _ b: Self) -> Self
  static func maximum(_ a: Self, _ b: Self) -> Self
  static func absolute(_ a: Self) -> Self
  static func negate(_ a: Self) -> Self
  static func signum(_ a: Self) -> Self
  /// Conversion from Double (NaN to 0 and saturating for integers).
  init(clamping value: Double)
  var doubleValue: Double { get }
  var isNaNValue: Bool { get }
}

extension NumericScalar where Self: FixedWidthInteger {
  @inlinable public static var zero: Self { 0 }
  @inlinable public static var one: Self { 1 }
  @inlinable public static var lowest: Self { Self.min }
  @inlinable public static var highest: Self { Self.max }
  @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
  @inlinable public static func subtract(_ a: Self, _ b: Self) -> Self { a &- b }
  @inlinable public static func multiply(_ a: Self, _ b: Self) -> Self { a &* b }
  @inlinable public static func divide(_ a: Self, _ b: Self) -> Self {
    if b == 0 { return 0 }
    return a.dividedReportingOverflow(by: b).partialValue
  }
  @inlinable public static func remainder(_ a: Self, _ b: Self, fmod: Bool) -> Self {
    if b == 0 { return 0 }
    let r = a.remainderReportingOverflow(dividingBy: b).partialValue
    if fmod || r == 0 { return r }
    return (r < 0) != (b < 0) ? r &+ b : r
  }
  @inlinable public static func minimum(_ a: Self, _ b: Self) -> Self { Swift.min(a, b) }
  @inlinable public static func maximum(_ a: Self, _ b: Self) -> Self { Swift.max(a, b) }
  @inlinable public static func absolute(_ a: Self) -> Self { a < 0 ? 0 &- a : a }
  @inlinable public static func negate(_ a: Self) -> Self { 0 &- a }
  @inlinable public static func signum(_ a: Self) -> Self { a > 0 ? 1 : (a < 0 ? 0 &- 1 : 0) }
  @inlinable public init(clamping value: Double) {
    if value.isNaN {
      self = 0
    } else if value >= Double(Self.max) {
      self = Self.max
    } else if value <= Double(Self.min) {
      self = Self.min
    } else {
      self = Self(value)
    }
  }
  @inlinable public var doubleValue: Double { Double(self) }
  @inlinable public var isNaNValue: Bool { false }
}

extension Int8: NumericScalar {}
extension Int16: NumericScalar {}
extension Int32: NumericScalar {}
extension Int64: NumericScalar {}
extension UInt8: NumericScalar {}
extension UInt16: NumericScalar {}
extension UInt32: NumericScalar {}
extension UInt64: NumericScalar {}

/// Float and Double, with the elementary functions of the C library.
public protocol FloatScalar: NumericScalar, BinaryFloatingPoint {
  static func exp(_ x: Self) -> Self
  static func expm1(_ x: Self) -> Self
  static func log(_ x: Self) -> Self
  static func log1p(_ x: Self) -> Self
  static func pow(_ x: Self, _ y: Self) -> Self
  static func sin(_ x: Self) -> Self
  static func cos(_ x: Self) -> Self
  static func tan(_ x: Self) -> Self
  static func asin(_ x: Self) -> Self
  static func acos(_ x: Self) -> Self
  static func atan(_ x: Self) -> Self
  static func sinh(_ x: Self) -> Self
  static func cosh(_ x: Self) -> Self
  static func tanh(_ x: Self) -> Self
  static func asinh(_ x: Self) -> Self
  static func acosh(_ x: Self) -> Self
  static func atanh(_ x: Self) -> Self
  static func erf(_ x: Self) -> Self
  static func fmod(_ x: Self, _ y: Self) -> Self
}

extension NumericScalar where Self: FloatScalar {
  @inlinable public static var zero: Self { 0 }
  @inlinable public static var one: Self { 1 }
  @inlinable public static var lowest: Self { -Self.infinity }
  @inlinable public static var highest: Self { Self.infinity }
  @inlinable public static func add(_ a: Self, _ b: Self) -> Self { a + b }
  @inlinable public static func subtract(_ a: Self, _ b: Self) -> Self { a - b }
  @inlinable public static func multiply(_ a: Self, _ b: Self) -> Self { a * b }
  @inlinable public static func divide(_ a: Self, _ b: Self) -> Self { a / b }
  @inlinable public static func remainder(_ a: Self, _ b: Self, fmod: Bool) -> Self {
    let r = Self.fmod(a, b)
    if fmod || r == 0 || r.isNaN { return r }
    return (r < 0) != (b < 0) ? r + b : r
  }
  @inlinable public static func minimum(_ a: Self, _ b: Self) -> Self {
    a.isNaN || b.isNaN ? Self.nan : Swift.min(a, b)
  }
  @inlinable public static func maximum(_ a: Self, _ b: Self) -> Self {
    a.isNaN || b.isNaN ? Self.nan : Swift.max(a, b)
  }
  @inlinable public static func absolute(_ a: Self) -> Self { Swift.abs(a) }
  @inlinable public static func negate(_ a: Self) -> Self { -a }
  @inlinable public static func signum(_ a: Self) -> Self {
    a > 0 ? 1 : (a < 0 ? -1 : (a.isNaN ? a : 0))
  }
  @inlinable public init(clamping value: Double) { self = Self(value) }
  @inlinable public var doubleValue: Double { Double(self) }
  @inlinable public var isNaNValue: Bool { isNaN }
}

extension Float: FloatScalar {
  /// e^x by Cephes' `expf` polynomial (within 2 ulp of the C library for normal results),
  /// branch-free so loops over it vectorize; results below the normal range flush to 0.
  @inlinable public static func exp(_ x: Float) -> Float { Elementwise.exp(x) }
  @inlinable public static func expm1(_ x: Float) -> Float { Glibc.expm1f(x) }
  @inlinable public static func log(_ x: Float) -> Float { Glibc.logf(x) }
  @inlinable public static func log1p(_ x: Float) -> Float { Glibc.log1pf(x) }
  @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Glibc.powf(x, y) }
  @inlinable public static func sin(_ x: Float) -> Float { Glibc.sinf(x) }
  @inlinable public static func cos(_ x: Float) -> Float { Glibc.cosf(x) }
  @inlinable public static func tan(_ x: Float) -> Float { Glibc.tanf(x) }
  @inlinable public static func asin(_ x: Float) -> Float { Glibc.asinf(x) }
  @inlinable public static func acos(_ x: Float) -> Float { Glibc.acosf(x) }
  @inlinable public static func atan(_ x: Float) -> Float { Glibc.atanf(x) }
  @inlinable public static func sinh(_ x: Float) -> Float { Glibc.sinhf(x) }
  @inlinable public static func cosh(_ x: Float) -> Float { Glibc.coshf(x) }
  @inlinable public static func tanh(_ x: Float) -> Float { Glibc.tanhf(x) }
  @inlinable public static func asinh(_ x: Float) -> Float { Glibc.asinhf(x) }
  @inlinable public static func acosh(_ x: Float) -> Float { Glibc.acoshf(x) }
  @inlinable public static func atanh(_ x: Float) -> Float { Glibc.atanhf(x) }
  @inlinable public static func erf(_ x: Float) -> Float { Glibc.erff(x) }
  @inlinable public static func fmod(_ x: Float, _ y: Float) -> Float { Glibc.fmodf(x, y) }
}

extension Double: FloatScalar {
  @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inlinable public static func expm1(_ x: Double) -> Double { Glibc.expm1(x) }
  @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inlinable public static func log1p(_ x: Double) -> Double { Glibc.log1p(x) }
  @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
  @inlinable public static func sin(_ x: Double) -> Double { Glibc.sin(x) }
  @inlinable public static func cos(_ x: Double) -> Double { Glibc.cos(x) }
  @inlinable public static func tan(_ x: Double) -> Double { Glibc.tan(x) }
  @inlinable public static func asin(_ x: Double) -> Double { Glibc.asin(x) }
  @inlinable public static func acos(_ x: Double) -> Double { Glibc.acos(x) }
  @inlinable public static func atan(_ x: Double) -> Double { Glibc.atan(x) }
  @inlinable public static func sinh(_ x: Double) -> Double { Glibc.sinh(x) }
  @inlinable public static func cosh(_ x: Double) -> Double { Glibc.cosh(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
  @inlinable public static func asinh(_ x: Double) -> Double { Glibc.asinh(x) }
  @inlinable public static func acosh(_ x: Double) -> Double { Glibc.acosh(x) }
  @inlinable public static func atanh(_ x: Double) -> Double { Glibc.atanh(x) }
  @inlinable public static func erf(_ x: Double) -> Double { Glibc.erf(x) }
  @inlinable public static func fmod(_ x: Double, _ y: Double) -> Double { Glibc.fmod(x, y) }
}

extension DType {
  /// The Swift type computing natively with this dtype (integers, float, double), or nil
  /// (float16 and bfloat16 compute in float32; bool and the rest have no arithmetic).
  public var numericScalarType: (any NumericScalar.Type)? {
    switch self {
    case .float: return Float.self
    case .double: return Double.self
    case .int8: return Int8.self
    case .int16: return Int16.self
    case .int32: return Int32.self
    case .int64: return Int64.self
    case .uint8: return UInt8.self
    case .uint16: return UInt16.self
    case .uint32: return UInt32.self
    case .uint64: return UInt64.self
    default: return nil
    }
  }

  /// True for float16 and bfloat16, which the ops compute in float32.
  public var isHalfPrecision: Bool { self == .float16 || self == .bfloat16 }
}

extension Elementwise {
  /// e^x in float32 by Cephes' `expf` polynomial, branch-free so loops vectorize. Within 2 ulp
  /// of the C library for results in the normal range; below it (x < -87.34) the result is 0,
  /// above (x > 88.72) +inf; NaN stays NaN.
  @inlinable @inline(__always)
  public static func exp(_ x: Float) -> Float {
    let c = x.isNaN ? 0 : Swift.min(Swift.max(x, -87.33654), 88.72283)
    // Round c·log2(e) to the nearest integer with the 1.5·2^23 trick (no rint call on
    // baseline x86-64); the integer is then in the low mantissa bits of `t`.
    let t = c * 1.44269504088896341 + 12_582_912
    let n = t - 12_582_912
    let k = Int32(bitPattern: t.bitPattern) &- 0x4B40_0000
    let r = c - n * 0.693359375 + n * 2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let y = p * r * r + r + 1
    // 2^k in two factors so that k = 128 and k = -126 stay representable.
    let k1 = k >> 1
    let k2 = k &- k1
    let s1 = Float(bitPattern: UInt32(bitPattern: (k1 &+ 127) &<< 23))
    let s2 = Float(bitPattern: UInt32(bitPattern: (k2 &+ 127) &<< 23))
    let v = y * s1 * s2
    return x > 88.72283 ? .infinity : (x < -87.33654 ? 0 : (x.isNaN ? x : v))
  }
}
