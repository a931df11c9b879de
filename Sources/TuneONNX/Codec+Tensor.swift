import COnnxProto
import TuneIR
import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

// TensorProto and SparseTensorProto: decode and encode side by side.
//
// Data comes from exactly one place: `raw_data` (adopted without copying), one typed field
// (`float_data`, `int32_data` — which also carries the packed 8/16-bit, 4-bit and 2-bit types —,
// `int64_data`, `double_data`, `uint64_data`, `string_data`), or external data. Which one is
// kept in `TensorProto.encoding` so that the writer writes the same field back.

/// The typed field a data type is stored in when `raw_data` is not used.
enum TypedField {
  case float, int32, string, int64, double, uint64
}

extension DType {
  var typedField: TypedField {
    switch self {
    case .float, .complex64: return .float
    case .double, .complex128: return .double
    case .int64: return .int64
    case .uint32, .uint64: return .uint64
    case .string: return .string
    default: return .int32
    }
  }

  /// How many values of the typed field hold `count` elements.
  func typedValueCount(elements count: Int) -> Int {
    switch self {
    case .complex64, .complex128: return count * 2
    case .uint4, .int4, .float4e2m1: return (count + 1) / 2
    case .uint2, .int2: return (count + 3) / 4
    default: return count
    }
  }

  /// Whether narrow integers stored in `int32_data` are sign-extended.
  var isSignedNarrowInteger: Bool { self == .int8 || self == .int16 }
}

/// State shared while decoding one file.
final class DecodeContext {
  /// The file being read, for error messages.
  let path: String
  /// Reads external data relative to the model's folder; nil when external data is not loaded.
  let external: ExternalDataReader?
  /// Largest tensor (in bytes) the reader accepts; guards allocations sized by dims.
  let maxTensorBytes: Int

  init(path: String, external: ExternalDataReader?, maxTensorBytes: Int) {
    self.path = path
    self.external = external
    self.maxTensorBytes = maxTensorBytes
  }
}

func decodeTensor(_ m: UnsafeMutablePointer<Onnx__TensorProto>, _ ctx: DecodeContext) throws
  -> TensorProto
{
  let t = m.pointee
  let name = decodeString(t.name)
  let label = "tensor '\(name ?? "")'"
  let dims = decodeArray(t.n_dims, t.dims)
  if let bad = dims.first(where: { $0 < 0 }) {
    throw DecodeError("\(label): negative dimension \(bad) in dims \(dims)")
  }
  guard let count = Tensor.checkedElementCount(dims) else {
    throw DecodeError("\(label): the product of dims \(dims) overflows")
  }
  // A zero-size tensor's other dims still size its strides: [0, 2^40, 2^40] has no elements
  // but a stride of 2^80, which would overflow in any kernel that walks it.
  if count == 0, Tensor.checkedElementCount(dims.map { max($0, 1) }) == nil {
    throw DecodeError("\(label): the product of the non-zero dims in \(dims) overflows")
  }
  let rawType = has(t.has_data_type) ? t.data_type : 0
  guard let dtype = DType(rawValue: rawType) else {
    throw DecodeError("\(label): unsupported data_type \(rawType)")
  }
  guard let byteCount = dtype.byteCount(elements: count), byteCount <= ctx.maxTensorBytes else {
    throw DecodeError(
      "\(label): dims \(dims) of \(dtype) need more than the \(ctx.maxTensorBytes)-byte limit")
  }
  let shape = dims.map { Int($0) }
  let location = has(t.has_data_location) ? Int32(bitPattern: t.data_location.rawValue) : nil
  let externalData = decodeStringPairs(t.n_external_data, t.external_data)
  let typedCounts: [(String, Int)] = [
    ("float_data", t.n_float_data), ("int32_data", t.n_int32_data),
    ("string_data", t.n_string_data), ("int64_data", t.n_int64_data),
    ("double_data", t.n_double_data), ("uint64_data", t.n_uint64_data),
  ].filter { $0.1 > 0 }
  let hasRaw = has(t.has_raw_data)
  if typedCounts.count + (hasRaw ? 1 : 0) > 1 {
    let fields = typedCounts.map(\.0) + (hasRaw ? ["raw_data"] : [])
    throw DecodeError("\(label): data is given twice (\(fields.joined(separator: ", ")))")
  }

  var encoding: TensorProto.Encoding
  var data: Tensor
  if location == 1 {
    guard let external = ctx.external else {
      throw DecodeError("\(label): has external data, which is not loaded here")
    }
    if dtype == .string { throw DecodeError("\(label): string tensors cannot be external") }
    encoding = .external
    let buffer = try external.read(
      tensor: name ?? "", keys: externalData, byteCount: byteCount)
    data = Tensor(dtype: dtype, shape: shape, buffer: buffer)
  } else if hasRaw {
    if dtype == .string { throw DecodeError("\(label): string tensors cannot use raw_data") }
    guard t.raw_data.len == byteCount else {
      throw DecodeError(
        "\(label): dims \(dims) of \(dtype) need \(byteCount) bytes, raw_data has \(t.raw_data.len)")
    }
    encoding = .raw
    let buffer: TensorBuffer
    if let p = t.raw_data.data, byteCount > 0 {
      // Adopt protobuf-c's copy instead of copying again.
      buffer = TensorBuffer(wrapping: UnsafeMutableRawPointer(p), byteCount: byteCount) { p, _ in free(p) }
      m.pointee.raw_data.data = nil
      m.pointee.raw_data.len = 0
    } else {
      buffer = TensorBuffer(zeroedByteCount: 0)
    }
    data = Tensor(dtype: dtype, shape: shape, buffer: buffer)
  } else {
    encoding = .typed
    data = try decodeTypedData(t, dtype: dtype, shape: shape, count: count, label: label)
  }

  var result = TensorProto(
    name: name, data: data, encoding: encoding, docString: decodeString(t.doc_string),
    segment: t.segment.map {
      TensorProto.Segment(
        begin: has($0.pointee.has_begin) ? $0.pointee.begin : nil,
        end: has($0.pointee.has_end) ? $0.pointee.end : nil)
    },
    externalData: externalData, dataLocation: location,
    metadataProps: decodeStringPairs(t.n_metadata_props, t.metadata_props),
    unknownFields: decodeUnknownFields(t.base), dataType: has(t.has_data_type) ? t.data_type : nil)
  result.dims = dims
  if let s = t.segment { result.segmentUnknownFields = decodeUnknownFields(s.pointee.base) }
  return result
}

private func decodeTypedData(
  _ t: Onnx__TensorProto, dtype: DType, shape: [Int], count: Int, label: String
) throws -> Tensor {
  let field = dtype.typedField
  let expected = dtype.typedValueCount(elements: count)
  let (got, fieldName): (Int, String) =
    switch field {
    case .float: (t.n_float_data, "float_data")
    case .int32: (t.n_int32_data, "int32_data")
    case .string: (t.n_string_data, "string_data")
    case .int64: (t.n_int64_data, "int64_data")
    case .double: (t.n_double_data, "double_data")
    case .uint64: (t.n_uint64_data, "uint64_data")
    }
  let present = [t.n_float_data, t.n_int32_data, t.n_string_data, t.n_int64_data, t.n_double_data, t.n_uint64_data]
    .contains { $0 > 0 }
  if got == 0 && present {
    throw DecodeError("\(label): data of type \(dtype) belongs in \(fieldName), which is empty")
  }
  guard got == expected else {
    throw DecodeError(
      "\(label): dims \(shape) of \(dtype) need \(expected) values in \(fieldName), found \(got)")
  }
  if dtype == .string {
    let strings = (0..<count).map { decodeBytes(t.string_data[$0]) }
    return Tensor(strings: strings, shape: shape)
  }
  // An empty tensor: the typed field's pointer is nil, nothing to copy.
  if got == 0 { return Tensor(zeros: dtype, shape: shape) }
  let out = Tensor(zeros: dtype, shape: shape)
  let dst = out.buffer.pointer
  switch field {
  case .float: dst.copyMemory(from: t.float_data, byteCount: got * 4)
  case .double: dst.copyMemory(from: t.double_data, byteCount: got * 8)
  case .int64: dst.copyMemory(from: t.int64_data, byteCount: got * 8)
  case .uint64:
    if dtype == .uint64 {
      dst.copyMemory(from: t.uint64_data, byteCount: got * 8)
    } else {
      let d = dst.assumingMemoryBound(to: UInt32.self)
      for i in 0..<got { d[i] = UInt32(truncatingIfNeeded: t.uint64_data[i]) }
    }
  case .int32:
    let src = t.int32_data!
    switch dtype.bitWidth {
    case 32: dst.copyMemory(from: src, byteCount: got * 4)
    case 16:
      let d = dst.assumingMemoryBound(to: UInt16.self)
      for i in 0..<got { d[i] = UInt16(truncatingIfNeeded: src[i]) }
    default:  // 8-bit types, and 4-/2-bit types packed one byte per value
      let d = dst.assumingMemoryBound(to: UInt8.self)
      for i in 0..<got { d[i] = UInt8(truncatingIfNeeded: src[i]) }
    }
  case .string: break
  }
  return out
}

/// Fills `m` (already initialised) from `tensor`. External tensors get their keys from
/// `external`, which writes their bytes; raw tensors point at the Swift buffer without copying.
func encodeTensor(
  _ tensor: TensorProto, into m: UnsafeMutablePointer<Onnx__TensorProto>, _ arena: CArena,
  external: ((TensorProto) throws -> [StringPair])?
) throws {
  m.pointee.name = arena.string(tensor.name)
  m.pointee.n_dims = tensor.dims.count
  m.pointee.dims = arena.array(tensor.dims)
  if let d = tensor.dataType {
    m.pointee.has_data_type = 1
    m.pointee.data_type = d
  }
  if let s = tensor.segment {
    let seg = arena.allocate(Onnx__TensorProto__Segment.self)
    onnx__tensor_proto__segment__init(seg)
    if let b = s.begin { seg.pointee.has_begin = 1; seg.pointee.begin = b }
    if let e = s.end { seg.pointee.has_end = 1; seg.pointee.end = e }
    encodeUnknownFields(tensor.segmentUnknownFields, into: &seg.pointee.base, arena)
    m.pointee.segment = seg
  }
  m.pointee.doc_string = arena.string(tensor.docString)
  let data = tensor.data
  var externalData = tensor.externalData
  switch tensor.encoding {
  case .external:
    if let external { externalData = try external(tensor) }
  case .raw where data.dtype == .string:
    // ONNX keeps strings in string_data only (the reader refuses raw_data for them); the raw
    // bytes of a string tensor's buffer are not its strings.
    encodeTypedData(data, into: m, arena)
  case .raw:
    m.pointee.has_raw_data = 1
    m.pointee.raw_data = ProtobufCBinaryData(
      len: data.byteCount, data: data.byteCount > 0 ? data.buffer.pointer.assumingMemoryBound(to: UInt8.self) : nil)
  case .typed:
    encodeTypedData(data, into: m, arena)
  }
  (m.pointee.n_external_data, m.pointee.external_data) = encodeStringPairs(externalData, arena)
  if let l = tensor.dataLocation {
    m.pointee.has_data_location = 1
    m.pointee.data_location = Onnx__TensorProto__DataLocation(rawValue: numericCast(UInt32(bitPattern: l)))
  }
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(tensor.metadataProps, arena)
  encodeUnknownFields(tensor.unknownFields, into: &m.pointee.base, arena)
}

private func encodeTypedData(_ data: Tensor, into m: UnsafeMutablePointer<Onnx__TensorProto>, _ arena: CArena) {
  let dtype = data.dtype
  let n = dtype.typedValueCount(elements: data.count)
  if n == 0 { return }
  let src = data.buffer.pointer
  switch dtype.typedField {
  case .float:
    let p = arena.allocate(Float.self, count: n)
    p.update(from: src.assumingMemoryBound(to: Float.self), count: n)
    m.pointee.n_float_data = n
    m.pointee.float_data = p
  case .double:
    let p = arena.allocate(Double.self, count: n)
    p.update(from: src.assumingMemoryBound(to: Double.self), count: n)
    m.pointee.n_double_data = n
    m.pointee.double_data = p
  case .int64:
    let p = arena.allocate(Int64.self, count: n)
    p.update(from: src.assumingMemoryBound(to: Int64.self), count: n)
    m.pointee.n_int64_data = n
    m.pointee.int64_data = p
  case .uint64:
    let p = arena.allocate(UInt64.self, count: n)
    if dtype == .uint64 {
      p.update(from: src.assumingMemoryBound(to: UInt64.self), count: n)
    } else {
      let s = src.assumingMemoryBound(to: UInt32.self)
      for i in 0..<n { p[i] = UInt64(s[i]) }
    }
    m.pointee.n_uint64_data = n
    m.pointee.uint64_data = p
  case .int32:
    let p = arena.allocate(Int32.self, count: n)
    switch dtype.bitWidth {
    case 32: p.update(from: src.assumingMemoryBound(to: Int32.self), count: n)
    case 16:
      let s = src.assumingMemoryBound(to: UInt16.self)
      for i in 0..<n {
        p[i] = dtype.isSignedNarrowInteger ? Int32(Int16(bitPattern: s[i])) : Int32(s[i])
      }
    default:
      let s = src.assumingMemoryBound(to: UInt8.self)
      for i in 0..<n {
        p[i] = dtype.isSignedNarrowInteger ? Int32(Int8(bitPattern: s[i])) : Int32(s[i])
      }
    }
    m.pointee.n_int32_data = n
    m.pointee.int32_data = p
  case .string:
    let p = arena.allocate(ProtobufCBinaryData.self, count: n)
    for (i, s) in data.strings.enumerated() { p[i] = arena.binary(s) }
    m.pointee.n_string_data = n
    m.pointee.string_data = p
  }
}

func makeTensor(_ tensor: TensorProto, _ arena: CArena, external: ((TensorProto) throws -> [StringPair])?)
  throws -> UnsafeMutablePointer<Onnx__TensorProto>
{
  let m = arena.allocate(Onnx__TensorProto.self)
  onnx__tensor_proto__init(m)
  try encodeTensor(tensor, into: m, arena, external: external)
  return m
}

// MARK: - SparseTensorProto

func decodeSparseTensor(_ m: UnsafeMutablePointer<Onnx__SparseTensorProto>, _ ctx: DecodeContext) throws
  -> SparseTensor
{
  SparseTensor(
    values: try m.pointee.values.map { try decodeTensor($0, ctx) },
    indices: try m.pointee.indices.map { try decodeTensor($0, ctx) },
    dims: decodeArray(m.pointee.n_dims, m.pointee.dims),
    unknownFields: decodeUnknownFields(m.pointee.base))
}

func makeSparseTensor(
  _ s: SparseTensor, _ arena: CArena, external: ((TensorProto) throws -> [StringPair])?
) throws -> UnsafeMutablePointer<Onnx__SparseTensorProto> {
  let m = arena.allocate(Onnx__SparseTensorProto.self)
  onnx__sparse_tensor_proto__init(m)
  m.pointee.values = try s.values.map { try makeTensor($0, arena, external: external) }
  m.pointee.indices = try s.indices.map { try makeTensor($0, arena, external: external) }
  m.pointee.n_dims = s.dims.count
  m.pointee.dims = arena.array(s.dims)
  encodeUnknownFields(s.unknownFields, into: &m.pointee.base, arena)
  return m
}
