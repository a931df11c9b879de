import Foundation

/// An n-dimensional array read from NumPy's `.npy` format (version 1–3), without copying its
/// data: a file is memory-mapped, so an array larger than memory streams from disk.
///
/// Element types: `f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1`, either byte order, and fixed-width
/// strings `U<n>` / `S<n>` (for class-name labels). Fortran-ordered arrays are copied once into
/// C order. Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
public struct NumPyArray: Sendable {
  public enum ElementType: String, Sendable {
    case float16 = "f2", float32 = "f4", float64 = "f8"
    case int8 = "i1", int16 = "i2", int32 = "i4", int64 = "i8"
    case uint8 = "u1", uint16 = "u2", uint32 = "u4", uint64 = "u8"
    case bool = "b1"
    /// Fixed-width UTF-32 (`U<n>`) or byte (`S<n>`) strings; the width is ``NumPyArray/itemSize``.
    case unicode = "U", bytes = "S"

    public var isInteger: Bool { rawValue.first == "i" || rawValue.first == "u" || self == .bool }
    public var isString: Bool { self == .unicode || self == .bytes }
  }

  public let elementType: ElementType
  /// Bytes per element.
  public let itemSize: Int
  public let shape: [Int]
  let bigEndian: Bool
  /// The bytes holding the elements (C order), from `offset`.
  let storage: Data
  let offset: Int

  public var count: Int { shape.reduce(1, *) }

  /// Reads a `.npy` file (memory-mapped).
  public init(path: String) throws {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw DataError("\(path): cannot read (\(error.localizedDescription))")
    }
    try self.init(data: data, name: path)
  }

  /// Parses `.npy` bytes; `name` is used in errors.
  public init(data: Data, name: String) throws {
    let bytes = [UInt8](data.prefix(12))
    guard bytes.count >= 10, bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else {
      throw DataError("\(name): not a .npy file (missing \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    if major == 1 {
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    } else if major == 2 || major == 3, bytes.count >= 12 {
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    } else {
      throw DataError("\(name): unsupported .npy version \(major)")
    }
    guard data.count >= headerStart + headerLength else {
      throw DataError("\(name): .npy header is cut short (truncated file)")
    }
    let start = data.startIndex
    let header = String(decoding: data[(start + headerStart)..<(start + headerStart + headerLength)], as: UTF8.self)
    guard let descr = Self.value(of: "descr", in: header), let shapeText = Self.value(of: "shape", in: header)
    else { throw DataError("\(name): .npy header lacks 'descr' or 'shape': \(header)") }
    let fortran = Self.value(of: "fortran_order", in: header)?.hasPrefix("True") ?? false
    let type = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\" "))
    let code = type.dropFirst()
    let element: ElementType
    let itemSize: Int
    if let kind = code.first, kind == "U" || kind == "S", let width = Int(code.dropFirst()), width > 0,
      "<>|=".contains(type.first!)
    {
      element = kind == "U" ? .unicode : .bytes
      itemSize = kind == "U" ? 4 * width : width
    } else if type.count >= 3, let numeric = ElementType(rawValue: String(code)), "<>|=".contains(type.first!) {
      element = numeric
      itemSize = Int(code.dropFirst())!
    } else {
      throw DataError(
        "\(name): unsupported NumPy dtype \(type) (expected a number, bool or fixed-width string dtype such as <f4, <i8, |u1, <U8)")
    }
    let dims = shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() "))
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    var shape: [Int] = []
    for d in dims {
      guard let v = Int(d), v >= 0 else { throw DataError("\(name): bad shape \(shapeText) in .npy header") }
      shape.append(v)
    }
    var count = 1
    for d in shape + [itemSize] {
      let (product, overflow) = count.multipliedReportingOverflow(by: d)
      guard !overflow, product <= data.count else {
        throw DataError("\(name): shape \(shape) of \(type) needs more bytes than the file holds (truncated or corrupt)")
      }
      count = product
    }
    count /= max(itemSize, 1)
    let dataStart = headerStart + headerLength
    guard data.count - dataStart >= count * itemSize else {
      throw DataError(
        "\(name): .npy holds \(data.count - dataStart) data bytes, shape \(shape) of \(type) needs \(count * itemSize) (truncated file)")
    }
    self.elementType = element
    self.itemSize = itemSize
    self.bigEndian = type.first == ">"
    self.shape = shape
    if fortran && shape.count > 1 {
      self.storage = Self.toCOrder(data, from: dataStart, shape: shape, size: itemSize)
      self.offset = 0
    } else {
      self.storage = data
      self.offset = dataStart
    }
  }

  /// An array from floats (e.g. parsed CSV).
  public init(floats: [Float], shape: [Int]) {
    precondition(floats.count == shape.reduce(1, *))
    self.elementType = .float32
    self.itemSize = 4
    self.bigEndian = false
    self.shape = shape
    self.storage = floats.withUnsafeBytes { Data($0) }
    self.offset = 0
  }

  /// The value of `key` in a Python dict literal (up to the next top-level comma or brace).
  static func value(of key: String, in header: String) -> String? {
    guard let range = header.range(of: "'\(key)'") ?? header.range(of: "\"\(key)\"") else { return nil }
    var rest = header[range.upperBound...].drop { $0 == " " || $0 == ":" }
    var depth = 0
    var out = ""
    while let c = rest.first {
      if c == "(" { depth += 1 }
      if c == ")" { depth -= 1 }
      if depth == 0 && (c == "," || c == "}") { break }
      out.append(c)
      rest = rest.dropFirst()
      if depth == 0 && c == ")" { break }
    }
    return out.trimmingCharacters(in: .whitespaces)
  }

  static func toCOrder(_ data: Data, from start: Int, shape: [Int], size: Int) -> Data {
    let count = shape.reduce(1, *)
    var out = [UInt8](repeating: 0, count: count * size)
    // Fortran strides (in elements).
    var fStrides = [Int](repeating: 1, count: shape.count)
    for i in 1..<shape.count { fStrides[i] = fStrides[i - 1] * shape[i - 1] }
    data.withUnsafeBytes { (src: UnsafeRawBufferPointer) in
      out.withUnsafeMutableBufferPointer { dst in
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<count {
          var f = 0
          for d in 0..<shape.count { f += index[d] * fStrides[d] }
          for b in 0..<size { dst[c * size + b] = src[start + f * size + b] }
          var d = shape.count - 1
          while d >= 0 {
            index[d] += 1
            if index[d] < shape[d] { break }
            index[d] = 0
            d -= 1
          }
        }
      }
    }
    return Data(out)
  }

  /// Converts `count` elements from element `start` to Float into `destination`.
  public func writeFloats(from start: Int, count n: Int, into destination: UnsafeMutableBufferPointer<Float>) {
    precondition(start >= 0 && start + n <= count && destination.count >= n)
    precondition(!elementType.isString, "string arrays have no float values")
    storage.withUnsafeBytes { raw in
      let base = raw.baseAddress!.advanced(by: offset + start * itemSize)
      func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> T {
        let v = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
        return bigEndian ? T(bigEndian: v) : T(littleEndian: v)
      }
      switch elementType {
      case .float32:
        if !bigEndian {
          for i in 0..<n { destination[i] = base.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        } else {
          for i in 0..<n { destination[i] = Float(bitPattern: load(UInt32.self, i)) }
        }
      case .float64: for i in 0..<n { destination[i] = Float(Double(bitPattern: load(UInt64.self, i))) }
      case .float16: for i in 0..<n { destination[i] = Float(Float16(bitPattern: load(UInt16.self, i))) }
      case .int8: for i in 0..<n { destination[i] = Float(load(Int8.self, i)) }
      case .int16: for i in 0..<n { destination[i] = Float(load(Int16.self, i)) }
      case .int32: for i in 0..<n { destination[i] = Float(load(Int32.self, i)) }
      case .int64: for i in 0..<n { destination[i] = Float(load(Int64.self, i)) }
      case .uint8, .bool: for i in 0..<n { destination[i] = Float(load(UInt8.self, i)) }
      case .uint16: for i in 0..<n { destination[i] = Float(load(UInt16.self, i)) }
      case .uint32: for i in 0..<n { destination[i] = Float(load(UInt32.self, i)) }
      case .uint64: for i in 0..<n { destination[i] = Float(load(UInt64.self, i)) }
      case .unicode, .bytes: break
      }
    }
  }

  /// All elements as Float.
  public func floats() -> [Float] {
    var out = [Float](repeating: 0, count: count)
    out.withUnsafeMutableBufferPointer { writeFloats(from: 0, count: count, into: $0) }
    return out
  }

  /// The elements of a string array (`U<n>`: UTF-32, `S<n>`: bytes as UTF-8), trailing NULs
  /// removed; nil for a numeric array.
  public func strings() -> [String]? {
    guard elementType.isString else { return nil }
    return storage.withUnsafeBytes { raw in
      (0..<count).map { i in
        let base = offset + i * itemSize
        if elementType == .bytes {
          let bytes = UnsafeRawBufferPointer(rebasing: raw[base..<(base + itemSize)]).prefix { $0 != 0 }
          return String(decoding: bytes, as: UTF8.self)
        }
        var scalars = String.UnicodeScalarView()
        for k in 0..<(itemSize / 4) {
          var v = raw.loadUnaligned(fromByteOffset: base + 4 * k, as: UInt32.self)
          v = bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
          if v == 0 { break }
          scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        }
        return String(scalars)
      }
    }
  }

  /// All elements as integer labels: integer and bool arrays directly, float arrays when every
  /// value is a whole number. `name` is used in errors.
  public func integers(name: String) throws -> [Int] {
    if elementType.isString {
      throw DataError("\(name): holds strings; expected integer labels")
    }
    if elementType.isInteger {
      return storage.withUnsafeBytes { raw in
        let base = raw.baseAddress!.advanced(by: offset)
        func load<T: FixedWidthInteger>(_: T.Type, _ i: Int) -> Int {
          let v = base.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self)
          return Int(truncatingIfNeeded: bigEndian ? T(bigEndian: v) : T(littleEndian: v))
        }
        switch elementType {
        case .int8: return (0..<count).map { load(Int8.self, $0) }
        case .int16: return (0..<count).map { load(Int16.self, $0) }
        case .int32: return (0..<count).map { load(Int32.self, $0) }
        case .int64: return (0..<count).map { load(Int64.self, $0) }
        case .uint16: return (0..<count).map { load(UInt16.self, $0) }
        case .uint32: return (0..<count).map { load(UInt32.self, $0) }
        case .uint64: return (0..<count).map { load(UInt64.self, $0) }
        default: return (0..<count).map { load(UInt8.self, $0) }
        }
      }
    }
    let values = floats()
    if let bad = values.firstIndex(where: { $0 != $0.rounded() || !$0.isFinite }) {
      throw DataError("\(name): label \(values[bad]) at index \(bad) is not a whole number")
    }
    return values.map { Int($0) }
  }
}
