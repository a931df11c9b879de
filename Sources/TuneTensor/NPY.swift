import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1, 2 and 3): little-endian `f4`,
/// `f8`, `f2`, `i8`, `i4`, `i2`, `i1`, `u8`, `u4`, `u2`, `u1` and `b1` arrays in C order.
/// Anything else (big-endian data, Fortran order, object or structured dtypes) is an error that
/// says what was found.
///
/// Files are written byte for byte as `numpy.save` writes them.
/// Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
///
///     let image = try NPY.read(atPath: "image.npy")
///     try NPY.write(logits, toPath: "out/logits.npy")
public enum NPY {
  /// A malformed or unsupported `.npy` file.
  public struct Error: Swift.Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
  }

  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"

  /// The `descr` for a dtype, or nil when NumPy has no such type.
  public static func descriptor(for dtype: DType) -> String? {
    switch dtype {
    case .float: return "<f4"
    case .double: return "<f8"
    case .float16: return "<f2"
    case .int64: return "<i8"
    case .int32: return "<i4"
    case .int16: return "<i2"
    case .int8: return "|i1"
    case .uint64: return "<u8"
    case .uint32: return "<u4"
    case .uint16: return "<u2"
    case .uint8: return "|u1"
    case .bool: return "|b1"
    default: return nil
    }
  }

  /// The dtype for a `descr`, or an error naming it.
  static func dtype(for descr: String) throws -> DType {
    guard descr.count >= 3 else { throw Error("unsupported dtype '\(descr)'") }
    let order = descr.first!
    let code = String(descr.dropFirst())
    let table: [String: DType] = [
      "f4": .float, "f8": .double, "f2": .float16, "i8": .int64, "i4": .int32, "i2": .int16,
      "i1": .int8, "u8": .uint64, "u4": .uint32, "u2": .uint16, "u1": .uint8, "b1": .bool,
    ]
    guard let t = table[code] else {
      throw Error(
        "unsupported dtype '\(descr)' (supported: f4, f8, f2, i8, i4, i2, i1, u8, u4, u2, u1, b1)")
    }
    if order == ">" && t.elementSize > 1 {
      throw Error("big-endian data ('\(descr)') is not supported; save it little-endian")
    }
    guard "<|=>".contains(order) else { throw Error("unsupported dtype '\(descr)'") }
    return t
  }

  /// Decodes a `.npy` file's bytes.
  public static func decode(_ bytes: [UInt8]) throws -> Tensor {
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
      throw Error("not a .npy file (no \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    case 2, 3:
      guard bytes.count >= 12 else { throw Error("truncated .npy header") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    default:
      throw Error("unsupported .npy format version \(major).\(bytes[7])")
    }
    guard headerStart + headerLength <= bytes.count else { throw Error("truncated .npy header") }
    let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
    let (descr, fortran, shape) = try parseHeader(header)
    let dtype = try dtype(for: descr)
    if fortran && shape.count > 1 {
      throw Error("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
    }
    guard let count = Tensor.checkedElementCount(shape.map(Int64.init), limit: Int.max / 16) else {
      throw Error("invalid shape \(shape)")
    }
    let start = headerStart + headerLength
    let needed = count * dtype.elementSize
    guard bytes.count - start >= needed else {
      throw Error("the file holds \(bytes.count - start) bytes of data; shape \(shape) of \(descr) needs \(needed)")
    }
    let tensor = Tensor(uninitialized: dtype, shape: shape)
    bytes.withUnsafeBytes { src in
      if needed > 0 { tensor.buffer.pointer.copyMemory(from: src.baseAddress! + start, byteCount: needed) }
    }
    if dtype == .bool {
      let p = tensor.buffer.pointer.assumingMemoryBound(to: UInt8.self)
      for i in 0..<count where p[i] > 1 { p[i] = 1 }
    }
    return tensor
  }

  /// Parses `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
  static func parseHeader(_ header: String) throws -> (String, Bool, [Int]) {
    func valueStart(_ key: String) throws -> Substring {
      for quote in ["'", "\""] {
        if let r = header.range(of: quote + key + quote) {
          var rest = header[r.upperBound...].drop(while: { $0 == " " })
          guard rest.first == ":" else { break }
          rest = rest.dropFirst().drop(while: { $0 == " " })
          return rest
        }
      }
      throw Error("the .npy header has no '\(key)': \(header)")
    }
    var d = try valueStart("descr")
    guard let q = d.first, q == "'" || q == "\"" else {
      throw Error("unsupported dtype (structured arrays are not supported): \(header)")
    }
    d = d.dropFirst()
    guard let end = d.firstIndex(of: q) else { throw Error("malformed .npy header: \(header)") }
    let descr = String(d[..<end])
    let f = try valueStart("fortran_order")
    let fortran: Bool
    if f.hasPrefix("True") { fortran = true } else if f.hasPrefix("False") { fortran = false } else {
      throw Error("malformed fortran_order in .npy header: \(header)")
    }
    let s = try valueStart("shape")
    guard s.first == "(", let close = s.firstIndex(of: ")") else {
      throw Error("malformed shape in .npy header: \(header)")
    }
    let shape = try s[s.index(after: s.startIndex)..<close].split(separator: ",").compactMap {
      (part: Substring) -> Int? in
      let t = part.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { return nil }
      guard let v = Int(t.hasSuffix("L") ? String(t.dropLast()) : t), v >= 0 else {
        throw Error("malformed shape in .npy header: \(header)")
      }
      return v
    }
    return (descr, fortran, shape)
  }

  /// Encodes a tensor as `numpy.save` would (format 1.0, or 2.0 for a very long header).
  public static func encode(_ tensor: Tensor) throws -> [UInt8] {
    guard let descr = descriptor(for: tensor.dtype) else {
      throw Error("a \(tensor.dtype) tensor cannot be saved as .npy (NumPy has no such type)")
    }
    let shape: String
    switch tensor.rank {
    case 0: shape = "()"
    case 1: shape = "(\(tensor.shape[0]),)"
    default: shape = "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
    }
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    if let first = tensor.shape.first { header += String(repeating: " ", count: max(0, 21 - String(first).count)) }
    var version: UInt8 = 1
    var prefix = 10
    var hlen = header.utf8.count + 1
    if hlen + 64 - (prefix + hlen) % 64 > 65535 {
      version = 2
      prefix = 12
    }
    let padding = 64 - (prefix + hlen) % 64  // as numpy: a full 64 when already aligned
    header += String(repeating: " ", count: padding) + "\n"
    hlen = header.utf8.count
    var out = magic + [version, 0]
    out += [UInt8(hlen & 0xFF), UInt8((hlen >> 8) & 0xFF)]
    if version == 2 { out += [UInt8((hlen >> 16) & 0xFF), UInt8((hlen >> 24) & 0xFF)] }
    out += Array(header.utf8)
    out += Array(tensor.buffer.bytes.prefix(tensor.byteCount))
    return out
  }

  /// Reads a `.npy` file.
  public static func read(atPath path: String) throws -> Tensor {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw Error("cannot read '\(path)'")
    }
    do {
      return try decode([UInt8](data))
    } catch let e as Error {
      throw Error("\(path): \(e.message)")
    }
  }

  /// Writes a `.npy` file atomically (a temporary file renamed into place).
  public static func write(_ tensor: Tensor, toPath path: String) throws {
    let bytes = try encode(tensor)
    do {
      try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
      throw Error("cannot write '\(path)': \(error.localizedDescription)")
    }
  }
}
