import CImageCodec
import Foundation

/// Reads the entries of a zip file (stored or deflated, zip64 sizes/offsets), enough for
/// NumPy's `.npz` (`np.savez` stores, `np.savez_compressed` deflates; both write zip64 fields).
struct ZipArchive {
  struct Entry {
    var name: String
    var method: Int
    var crc: UInt32
    var compressedSize: Int
    var size: Int
    var localHeaderOffset: Int
  }

  let data: Data
  let path: String
  let entries: [Entry]

  init(path: String) throws {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw DataError("\(path): cannot read (\(error.localizedDescription))")
    }
    self.data = data
    self.path = path
    self.entries = try data.withUnsafeBytes { try Self.readDirectory(UnsafeRawBufferPointer($0), path: path) }
  }

  /// `start..<start+length` lies inside `0..<n` (no overflow for hostile values).
  static func fits(_ start: Int, _ length: Int, in n: Int) -> Bool {
    start >= 0 && length >= 0 && start <= n && length <= n - start
  }

  private static func u16(_ b: UnsafeRawBufferPointer, _ at: Int) -> Int { Int(b[at]) | Int(b[at + 1]) << 8 }
  private static func u32(_ b: UnsafeRawBufferPointer, _ at: Int) -> Int { u16(b, at) | u16(b, at + 2) << 16 }
  private static func u64(_ b: UnsafeRawBufferPointer, _ at: Int) -> Int { u32(b, at) | u32(b, at + 4) << 32 }

  static func readDirectory(_ b: UnsafeRawBufferPointer, path: String) throws -> [Entry] {
    let n = b.count
    guard n >= 22 else { throw DataError("\(path): not a zip/.npz file (too short)") }
    var eocd = -1
    var i = n - 22
    while i >= max(0, n - 22 - 65535) {
      if u32(b, i) == 0x0605_4B50 { eocd = i; break }
      i -= 1
    }
    guard eocd >= 0 else { throw DataError("\(path): not a zip/.npz file (no end-of-directory record)") }
    var entryCount = u16(b, eocd + 10)
    var directoryOffset = u32(b, eocd + 16)
    // Zip64 end-of-directory locator just before.
    if eocd >= 20, u32(b, eocd - 20) == 0x0706_4B50 {
      let zip64 = u64(b, eocd - 20 + 8)
      guard fits(zip64, 56, in: n), u32(b, zip64) == 0x0606_4B50 else {
        throw DataError("\(path): corrupt zip64 end-of-directory record")
      }
      entryCount = u64(b, zip64 + 32)
      directoryOffset = u64(b, zip64 + 48)
    }
    var entries: [Entry] = []
    var at = directoryOffset
    for _ in 0..<entryCount {
      guard fits(at, 46, in: n), u32(b, at) == 0x0201_4B50 else {
        throw DataError("\(path): corrupt zip central directory")
      }
      let nameLength = u16(b, at + 28)
      let extraLength = u16(b, at + 30)
      let commentLength = u16(b, at + 32)
      guard fits(at, 46 + nameLength + extraLength, in: n) else {
        throw DataError("\(path): corrupt zip central directory")
      }
      let name = String(decoding: UnsafeRawBufferPointer(rebasing: b[(at + 46)..<(at + 46 + nameLength)]), as: UTF8.self)
      var entry = Entry(
        name: name, method: u16(b, at + 10), crc: UInt32(u32(b, at + 16)), compressedSize: u32(b, at + 20),
        size: u32(b, at + 24), localHeaderOffset: u32(b, at + 42))
      // Zip64 extra field: the 0xFFFFFFFF fields, in order size, compressed size, offset.
      var e = at + 46 + nameLength
      let extraEnd = e + extraLength
      while e + 4 <= extraEnd {
        let id = u16(b, e)
        let length = u16(b, e + 2)
        if id == 0x0001 {
          let end = min(e + 4 + length, extraEnd)
          var p = e + 4
          if entry.size == 0xFFFF_FFFF, p + 8 <= end { entry.size = u64(b, p); p += 8 }
          if entry.compressedSize == 0xFFFF_FFFF, p + 8 <= end { entry.compressedSize = u64(b, p); p += 8 }
          if entry.localHeaderOffset == 0xFFFF_FFFF, p + 8 <= end { entry.localHeaderOffset = u64(b, p) }
        }
        e += 4 + length
      }
      entries.append(entry)
      at += 46 + nameLength + extraLength + commentLength
    }
    return entries
  }

  /// The uncompressed bytes of `entry` (a slice of the mapped file when stored).
  func contents(of entry: Entry) throws -> Data {
    let where_ = "\(path) entry \(entry.name)"
    let start: Int = try data.withUnsafeBytes { raw in
      let b = UnsafeRawBufferPointer(raw)
      let h = entry.localHeaderOffset
      guard Self.fits(h, 30, in: b.count), Self.u32(b, h) == 0x0403_4B50 else {
        throw DataError("\(where_): corrupt local header")
      }
      return h + 30 + Self.u16(b, h + 26) + Self.u16(b, h + 28)
    }
    guard Self.fits(start, entry.compressedSize, in: data.count), entry.size >= 0 else {
      throw DataError("\(where_): data runs past the end of the file (truncated)")
    }
    let base = data.startIndex
    let compressed = data[(base + start)..<(base + start + entry.compressedSize)]
    let result: Data
    switch entry.method {
    case 0:
      result = compressed
    case 8:
      result = try compressed.withUnsafeBytes { raw in
        var out: UnsafeMutablePointer<UInt8>?
        var outSize = 0
        var message = [CChar](repeating: 0, count: 200)
        let status = ic_inflate(
          raw.bindMemory(to: UInt8.self).baseAddress, raw.count, 0, entry.size, &out, &outSize, &message,
          message.count)
        defer { ic_free(out) }
        guard status == 0, let out else {
          throw DataError("\(where_): \(cMessage(message))")
        }
        return Data(bytes: out, count: outSize)
      }
    default:
      throw DataError("\(where_): unsupported zip compression method \(entry.method) (expected stored or deflate)")
    }
    guard result.count == entry.size else {
      throw DataError("\(where_): \(result.count) bytes after decompression, directory says \(entry.size)")
    }
    let crc = result.withUnsafeBytes { ic_crc32($0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
    guard crc == entry.crc else { throw DataError("\(where_): CRC mismatch (corrupt file)") }
    return result
  }
}

/// NumPy's `.npz`: a zip of `.npy` arrays, read by name.
///
/// ```swift
/// let archive = try NPZArchive(path: "digits.npz")
/// let x = try archive.array(named: "x")
/// ```
public struct NPZArchive {
  let zip: ZipArchive

  public init(path: String) throws { zip = try ZipArchive(path: path) }

  /// Array names (entry names without `.npy`), in archive order.
  public var names: [String] {
    zip.entries.map { $0.name.hasSuffix(".npy") ? String($0.name.dropLast(4)) : $0.name }
  }

  /// The array called `name`.
  public func array(named name: String) throws -> NumPyArray {
    guard let entry = zip.entries.first(where: { $0.name == name + ".npy" || $0.name == name }) else {
      throw DataError("\(zip.path): no array '\(name)' (arrays: \(names.joined(separator: ", ")))")
    }
    return try NumPyArray(data: zip.contents(of: entry), name: "\(zip.path)[\(name)]")
  }
}

/// Decompression helpers shared by the readers.
enum Inflate {
  /// Gunzips `data` (several members allowed).
  static func gunzip(_ data: Data, name: String) throws -> Data {
    try data.withUnsafeBytes { raw in
      var out: UnsafeMutablePointer<UInt8>?
      var outSize = 0
      var message = [CChar](repeating: 0, count: 200)
      let status = ic_inflate(
        raw.bindMemory(to: UInt8.self).baseAddress, raw.count, 1, raw.count * 4, &out, &outSize, &message,
        message.count)
      defer { ic_free(out) }
      guard status == 0, let out else { throw DataError("\(name): \(cMessage(message))") }
      return Data(bytes: out, count: outSize)
    }
  }
}

/// The text of a NUL-terminated C message buffer.
func cMessage(_ buffer: [CChar]) -> String {
  String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
