/// ONNX element types (`TensorProto.DataType`), with their storage sizes.
///
/// The raw values are the ONNX enum values, so a `DType` can be read from and written to a
/// model file without a table. Types the runtime does not compute with (strings, complex,
/// float8, 4-bit) still have a storage layout so that tensors of those types round-trip.
public enum DType: Int32, Sendable, CaseIterable, CustomStringConvertible {
  case float = 1
  case uint8 = 2
  case int8 = 3
  case uint16 = 4
  case int16 = 5
  case int32 = 6
  case int64 = 7
  case string = 8
  case bool = 9
  case float16 = 10
  case double = 11
  case uint32 = 12
  case uint64 = 13
  case complex64 = 14
  case complex128 = 15
  case bfloat16 = 16
  case float8e4m3fn = 17
  case float8e4m3fnuz = 18
  case float8e5m2 = 19
  case float8e5m2fnuz = 20
  case uint4 = 21
  case int4 = 22
  case float4e2m1 = 23
  case float8e8m0 = 24
  case uint2 = 25
  case int2 = 26

  /// Bits one element occupies in raw (little-endian, packed) storage; 0 for strings.
  public var bitWidth: Int {
    switch self {
    case .string: return 0
    case .uint2, .int2: return 2
    case .uint4, .int4, .float4e2m1: return 4
    case .uint8, .int8, .bool, .float8e4m3fn, .float8e4m3fnuz, .float8e5m2, .float8e5m2fnuz,
      .float8e8m0:
      return 8
    case .uint16, .int16, .float16, .bfloat16: return 16
    case .float, .int32, .uint32: return 32
    case .int64, .uint64, .double, .complex64: return 64
    case .complex128: return 128
    }
  }

  /// Bytes needed for `count` elements in raw storage (sub-byte types are packed), or nil on overflow.
  public func byteCount(elements count: Int) -> Int? {
    precondition(count >= 0)
    let (bits, overflow) = count.multipliedReportingOverflow(by: bitWidth)
    if overflow { return nil }
    return (bits + 7) / 8
  }

  /// Element size in bytes for types of at least one byte (0 for packed sub-byte types and strings).
  public var elementSize: Int { bitWidth >= 8 ? bitWidth / 8 : 0 }

  public var isFloatingPoint: Bool {
    switch self {
    case .float, .double, .float16, .bfloat16: return true
    default: return false
    }
  }

  public var isInteger: Bool {
    switch self {
    case .uint8, .int8, .uint16, .int16, .int32, .int64, .uint32, .uint64: return true
    default: return false
    }
  }

  public var isSignedInteger: Bool {
    switch self {
    case .int8, .int16, .int32, .int64: return true
    default: return false
    }
  }

  /// The ONNX spelling (`tensor(float)` uses `float`).
  public var description: String {
    switch self {
    case .float: return "float"
    case .uint8: return "uint8"
    case .int8: return "int8"
    case .uint16: return "uint16"
    case .int16: return "int16"
    case .int32: return "int32"
    case .int64: return "int64"
    case .string: return "string"
    case .bool: return "bool"
    case .float16: return "float16"
    case .double: return "double"
    case .uint32: return "uint32"
    case .uint64: return "uint64"
    case .complex64: return "complex64"
    case .complex128: return "complex128"
    case .bfloat16: return "bfloat16"
    case .float8e4m3fn: return "float8e4m3fn"
    case .float8e4m3fnuz: return "float8e4m3fnuz"
    case .float8e5m2: return "float8e5m2"
    case .float8e5m2fnuz: return "float8e5m2fnuz"
    case .uint4: return "uint4"
    case .int4: return "int4"
    case .float4e2m1: return "float4e2m1"
    case .float8e8m0: return "float8e8m0"
    case .uint2: return "uint2"
    case .int2: return "int2"
    }
  }
}
