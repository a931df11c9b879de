import COnnxProto
import TuneIR

#if canImport(Glibc)
  import Glibc
#endif

// Conversions shared by every message codec: strings, repeated fields, string pairs, opset ids,
// unknown fields and messages kept as opaque bytes. Decode and encode sit side by side.

/// Memory for the C messages the writer builds. Every allocation is released together when the
/// arena goes away; bytes that belong to Swift tensors are referenced, never copied or freed.
final class CArena {
  private var blocks: [UnsafeMutableRawPointer] = []
  private var unpacked: [UnsafeMutablePointer<ProtobufCMessage>] = []

  deinit {
    for b in blocks { free(b) }
    for m in unpacked { protobuf_c_message_free_unpacked(m, nil) }
  }

  /// Zeroed storage for `count` values of `T`.
  func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
    let bytes = max(MemoryLayout<T>.stride * count, 1)
    let p = calloc(1, bytes)!
    blocks.append(p)
    return p.bindMemory(to: T.self, capacity: max(count, 1))
  }

  /// A NUL-terminated copy of `s`, or nil.
  func string(_ s: String?) -> UnsafeMutablePointer<CChar>? {
    guard let s else { return nil }
    let p = strdup(s)!
    blocks.append(UnsafeMutableRawPointer(p))
    return p
  }

  /// A C array of `values`, or nil when empty.
  func array<T>(_ values: [T]) -> UnsafeMutablePointer<T>? {
    if values.isEmpty { return nil }
    let p = allocate(T.self, count: values.count)
    for (i, v) in values.enumerated() { (p + i).initialize(to: v) }
    return p
  }

  /// Array of C strings.
  func strings(_ values: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    array(values.map { string($0) })
  }

  /// Bytes copied into the arena as `ProtobufCBinaryData`.
  func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
    let p = allocate(UInt8.self, count: bytes.count)
    if !bytes.isEmpty { p.update(from: bytes, count: bytes.count) }
    return ProtobufCBinaryData(len: bytes.count, data: p)
  }

  /// Keeps a message unpacked by protobuf-c alive until the arena goes away.
  func adopt(_ message: UnsafeMutablePointer<ProtobufCMessage>) { unpacked.append(message) }
}

// MARK: - Strings and repeated fields

@inline(__always)
func decodeString(_ p: UnsafeMutablePointer<CChar>?) -> String? {
  p.map { String(cString: $0) }
}

func decodeStrings(_ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> [String] {
  guard let p else { return [] }
  return (0..<n).map { decodeString(p[$0]) ?? "" }
}

func decodeArray<T>(_ n: Int, _ p: UnsafeMutablePointer<T>?) -> [T] {
  guard let p, n > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: p, count: n))
}

func decodeBytes(_ b: ProtobufCBinaryData) -> [UInt8] {
  guard let d = b.data, b.len > 0 else { return [] }
  return Array(UnsafeBufferPointer(start: d, count: b.len))
}

/// Converts each element of a C array of message pointers.
func decodeMessages<T, R>(
  _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?,
  _ body: (UnsafeMutablePointer<T>) throws -> R
) rethrows -> [R] {
  guard let p else { return [] }
  var out: [R] = []
  out.reserveCapacity(n)
  for i in 0..<n { if let m = p[i] { out.append(try body(m)) } }
  return out
}

/// Builds a C array of message pointers from Swift values.
func encodeMessages<T, V>(
  _ values: [V], _ arena: CArena, _ body: (V) throws -> UnsafeMutablePointer<T>
) rethrows -> (Int, UnsafeMutablePointer<UnsafeMutablePointer<T>?>?) {
  if values.isEmpty { return (0, nil) }
  let p = arena.allocate(UnsafeMutablePointer<T>?.self, count: values.count)
  for (i, v) in values.enumerated() { p[i] = try body(v) }
  return (values.count, p)
}

@inline(__always)
func has(_ flag: protobuf_c_boolean) -> Bool { flag != 0 }

// MARK: - Unknown fields

func decodeUnknownFields(_ base: ProtobufCMessage) -> [UnknownField] {
  guard base.n_unknown_fields > 0, let u = base.unknown_fields else { return [] }
  return (0..<Int(base.n_unknown_fields)).map { i in
    let f = u[i]
    let data = f.data.map { Array(UnsafeBufferPointer(start: $0, count: f.len)) } ?? []
    return UnknownField(tag: f.tag, wireType: Int32(f.wire_type.rawValue), data: data)
  }
}

func encodeUnknownFields(_ fields: [UnknownField], into base: inout ProtobufCMessage, _ arena: CArena) {
  if fields.isEmpty { return }
  let p = arena.allocate(ProtobufCMessageUnknownField.self, count: fields.count)
  for (i, f) in fields.enumerated() {
    let b = arena.binary(f.data)
    p[i] = ProtobufCMessageUnknownField(
      tag: f.tag, wire_type: ProtobufCWireType(rawValue: numericCast(f.wireType)), len: b.len,
      data: b.data)
  }
  base.n_unknown_fields = UInt32(fields.count)
  base.unknown_fields = p
}

// MARK: - StringStringEntryProto

func decodeStringPair(_ m: UnsafeMutablePointer<Onnx__StringStringEntryProto>) -> StringPair {
  StringPair(key: decodeString(m.pointee.key), value: decodeString(m.pointee.value))
    .withUnknown(decodeUnknownFields(m.pointee.base))
}

func decodeStringPairs(
  _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?
) -> [StringPair] {
  decodeMessages(n, p, decodeStringPair)
}

func encodeStringPairs(_ pairs: [StringPair], _ arena: CArena) -> (
  Int, UnsafeMutablePointer<UnsafeMutablePointer<Onnx__StringStringEntryProto>?>?
) {
  encodeMessages(pairs, arena) { pair in
    let m = arena.allocate(Onnx__StringStringEntryProto.self)
    onnx__string_string_entry_proto__init(m)
    m.pointee.key = arena.string(pair.key)
    m.pointee.value = arena.string(pair.value)
    encodeUnknownFields(pair.unknownFields, into: &m.pointee.base, arena)
    return m
  }
}

extension StringPair {
  fileprivate func withUnknown(_ fields: [UnknownField]) -> StringPair {
    var s = self
    s.unknownFields = fields
    return s
  }
}

// MARK: - OperatorSetIdProto

func decodeOpsets(
  _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<Onnx__OperatorSetIdProto>?>?
) -> [OperatorSetID] {
  decodeMessages(n, p) { m in
    OperatorSetID(
      domain: decodeString(m.pointee.domain),
      version: has(m.pointee.has_version) ? m.pointee.version : nil,
      unknownFields: decodeUnknownFields(m.pointee.base))
  }
}

func encodeOpsets(_ opsets: [OperatorSetID], _ arena: CArena) -> (
  Int, UnsafeMutablePointer<UnsafeMutablePointer<Onnx__OperatorSetIdProto>?>?
) {
  encodeMessages(opsets, arena) { o in
    let m = arena.allocate(Onnx__OperatorSetIdProto.self)
    onnx__operator_set_id_proto__init(m)
    m.pointee.domain = arena.string(o.domain)
    if let v = o.version {
      m.pointee.has_version = 1
      m.pointee.version = v
    }
    encodeUnknownFields(o.unknownFields, into: &m.pointee.base, arena)
    return m
  }
}

// MARK: - Messages kept as encoded bytes

/// Packs a message the IR does not interpret (device configurations, quantization annotations).
func decodeOpaque<T>(_ m: UnsafeMutablePointer<T>) -> OpaqueMessage {
  m.withMemoryRebound(to: ProtobufCMessage.self, capacity: 1) { base in
    let n = protobuf_c_message_get_packed_size(base)
    var bytes = [UInt8](repeating: 0, count: n)
    _ = bytes.withUnsafeMutableBufferPointer { protobuf_c_message_pack(base, $0.baseAddress) }
    return OpaqueMessage(bytes: bytes)
  }
}

/// Unpacks kept bytes back into their message; the arena frees it after writing.
func encodeOpaque<T>(
  _ message: OpaqueMessage, _ arena: CArena,
  unpack: (Int, UnsafePointer<UInt8>?) -> UnsafeMutablePointer<T>?
) throws -> UnsafeMutablePointer<T> {
  let m = message.bytes.withUnsafeBufferPointer { unpack($0.count, $0.baseAddress) }
  guard let m else { throw DecodeError("a kept sub-message no longer parses") }
  arena.adopt(UnsafeMutableRawPointer(m).assumingMemoryBound(to: ProtobufCMessage.self))
  return m
}
