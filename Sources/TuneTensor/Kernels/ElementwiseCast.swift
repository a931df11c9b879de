#if canImport(Glibc)
  import Glibc
#endif

/// Conversions between float32 and the small ONNX element types: the float8 formats,
/// float8e8m0, float4e2m1 and the packed 4- and 2-bit integers (as the ONNX reference and
/// ml_dtypes do them: round to nearest even; float8 saturates to the largest finite value
/// when `saturate` is set, else overflows to inf or NaN; integers truncate and wrap).
extension Elementwise {
  /// Whether `dtype` is one of the small types these conversions handle.
  public static func isSmallType(_ dtype: DType) -> Bool {
    switch dtype {
    case .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz, .float8e8m0, .float4e2m1,
      .int4, .uint4, .int2, .uint2:
      return true
    default: return false
    }
  }

  /// The elements of a small-type tensor as float32.
  public static func decodeSmall(_ x: Tensor) -> Tensor {
    let out = Tensor(uninitialized: .float, shape: x.shape)
    let dst = out.buffer.pointer.assumingMemoryBound(to: Float.self)
    let src = x.buffer.pointer.assumingMemoryBound(to: UInt8.self)
    let n = x.count
    switch x.dtype {
    case .int4, .uint4, .int2, .uint2, .float4e2m1:
      let bits = x.dtype.bitWidth
      let perByte = 8 / bits
      let mask = UInt8((1 << bits) - 1)
      for i in 0..<n {
        let code = (src[i / perByte] >> UInt8((i % perByte) * bits)) & mask
        switch x.dtype {
        case .float4e2m1: dst[i] = MiniFloat.e2m1.decode(code)
        case .int4, .int2:
          let signBit = UInt8(1 << (bits - 1))
          dst[i] = Float(code & signBit != 0 ? Int(code) - (1 << bits) : Int(code))
        default: dst[i] = Float(code)
        }
      }
    case .float8e8m0:
      for i in 0..<n {
        dst[i] = src[i] == 0xFF ? .nan : Float(sign: .plus, exponent: Int(src[i]) - 127, significand: 1)
      }
    default:
      let format = MiniFloat.format(for: x.dtype)!
      for i in 0..<n { dst[i] = format.decode(src[i]) }
    }
    return out
  }

  /// A float32 tensor converted to the small type `dtype`. `roundMode` ("up", "down",
  /// "nearest") applies to float8e8m0 only.
  public static func encodeSmall(
    _ x: Tensor, to dtype: DType, saturate: Bool, roundMode: String = "up"
  ) -> Tensor {
    precondition(x.dtype == .float)
    let out = Tensor(zeros: dtype, shape: x.shape)
    let dst = out.buffer.pointer.assumingMemoryBound(to: UInt8.self)
    let src = x.buffer.pointer.assumingMemoryBound(to: Float.self)
    let n = x.count
    switch dtype {
    case .int4, .uint4, .int2, .uint2, .float4e2m1:
      let bits = dtype.bitWidth
      let perByte = 8 / bits
      let mask = (1 << bits) - 1
      for i in 0..<n {
        let code: UInt8
        if dtype == .float4e2m1 {
          code = MiniFloat.e2m1.encode(src[i], saturate: true)
        } else {
          let v = Double(src[i])
          let t = v.isFinite ? Int64(clamping: v.rounded(.towardZero)) : 0
          code = UInt8(truncatingIfNeeded: Int(truncatingIfNeeded: t) & mask)
        }
        dst[i / perByte] |= code << UInt8((i % perByte) * bits)
      }
    case .float8e8m0:
      for i in 0..<n { dst[i] = encodeE8M0(src[i], saturate: saturate, roundMode: roundMode) }
    default:
      let format = MiniFloat.format(for: dtype)!
      for i in 0..<n { dst[i] = format.encode(src[i], saturate: saturate) }
    }
    return out
  }

  static func encodeE8M0(_ x: Float, saturate: Bool, roundMode: String) -> UInt8 {
    let bits = x.bitPattern
    var exponent = Int((bits >> 23) & 0xFF)
    if exponent == 0xFF { return 0xFF }
    let fraction = bits & 0x7F_FFFF
    switch roundMode {
    case "nearest":
      let g = bits & 0x40_0000 != 0
      let r = bits & 0x20_0000 != 0
      let s = bits & 0x1F_FFFF != 0
      if g && (r || s || exponent > 0) && !(saturate && exponent == 0xFE) { exponent += 1 }
    case "down": break
    default:
      if fraction != 0 && !(saturate && exponent == 0xFE) { exponent += 1 }
    }
    return UInt8(truncatingIfNeeded: exponent)
  }
}

/// A small IEEE-like binary float format (1 sign bit, `exponentBits`, `mantissaBits`).
struct MiniFloat {
  enum Special { case ieee, finiteOnlyNaNAllOnes, unsignedZero, none }
  var exponentBits: Int
  var mantissaBits: Int
  var bias: Int
  var special: Special
  var maxValue: Float

  static let e4m3fn = MiniFloat(
    exponentBits: 4, mantissaBits: 3, bias: 7, special: .finiteOnlyNaNAllOnes, maxValue: 448)
  static let e4m3fnuz = MiniFloat(
    exponentBits: 4, mantissaBits: 3, bias: 8, special: .unsignedZero, maxValue: 240)
  static let e5m2 = MiniFloat(exponentBits: 5, mantissaBits: 2, bias: 15, special: .ieee, maxValue: 57344)
  static let e5m2fnuz = MiniFloat(
    exponentBits: 5, mantissaBits: 2, bias: 16, special: .unsignedZero, maxValue: 57344)
  static let e2m1 = MiniFloat(exponentBits: 2, mantissaBits: 1, bias: 1, special: .none, maxValue: 6)

  static func format(for dtype: DType) -> MiniFloat? {
    switch dtype {
    case .float8e4m3fn: return e4m3fn
    case .float8e4m3fnuz: return e4m3fnuz
    case .float8e5m2: return e5m2
    case .float8e5m2fnuz: return e5m2fnuz
    case .float4e2m1: return e2m1
    default: return nil
    }
  }

  var signBit: UInt8 { UInt8(1 << (exponentBits + mantissaBits)) }

  func decode(_ code: UInt8) -> Float {
    let negative = code & signBit != 0
    let e = Int(code >> UInt8(mantissaBits)) & ((1 << exponentBits) - 1)
    let m = Int(code) & ((1 << mantissaBits) - 1)
    switch special {
    case .unsignedZero where code == signBit: return .nan
    case .finiteOnlyNaNAllOnes where e == (1 << exponentBits) - 1 && m == (1 << mantissaBits) - 1:
      return .nan
    case .ieee where e == (1 << exponentBits) - 1:
      return m == 0 ? (negative ? -.infinity : .infinity) : .nan
    default: break
    }
    let magnitude =
      e == 0
      ? Float(m) * Float(sign: .plus, exponent: 1 - bias - mantissaBits, significand: 1)
      : Float((1 << mantissaBits) + m) * Float(sign: .plus, exponent: e - bias - mantissaBits, significand: 1)
    return negative ? -magnitude : magnitude
  }

  func encode(_ x: Float, saturate: Bool) -> UInt8 {
    let sign: UInt8 = x.sign == .minus ? signBit : 0
    let maxCode = UInt8((1 << (exponentBits + mantissaBits)) - 1) - (special == .finiteOnlyNaNAllOnes ? 1 : 0)
    let ieeeMax = UInt8(((1 << exponentBits) - 1) << mantissaBits) - 1
    let largest = special == .ieee ? ieeeMax : maxCode
    func overflow() -> UInt8 {
      if saturate { return sign | largest }
      switch special {
      case .ieee: return sign | (largest + 1)
      case .finiteOnlyNaNAllOnes: return sign | (maxCode + 1)
      case .unsignedZero: return signBit
      case .none: return sign | largest
      }
    }
    if x.isNaN {
      switch special {
      case .ieee: return sign | (largest + 2)
      case .finiteOnlyNaNAllOnes: return sign | (maxCode + 1)
      case .unsignedZero: return signBit
      case .none: return sign == 0 ? signBit : 0
      }
    }
    let a = abs(x)
    if a.isInfinite { return overflow() }
    if a == 0 { return special == .unsignedZero ? 0 : sign }
    let minExponent = 1 - bias
    var e = Swift.max(Int(a.exponent), minExponent)
    var n = Int((a * Float(sign: .plus, exponent: mantissaBits - e, significand: 1)).rounded(.toNearestOrEven))
    if n == 1 << (mantissaBits + 1) {
      e += 1
      n = 1 << mantissaBits
    }
    let value = Float(n) * Float(sign: .plus, exponent: e - mantissaBits, significand: 1)
    if value > maxValue { return overflow() }
    if n == 0 { return special == .unsignedZero ? 0 : sign }
    if n < 1 << mantissaBits { return sign | UInt8(n) }
    return sign | UInt8(((e + bias) << mantissaBits) | (n - (1 << mantissaBits)))
  }
}
