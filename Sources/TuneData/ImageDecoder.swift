import CImageCodec
import Foundation

/// Decodes PNG and JPEG files with libpng and libjpeg-turbo.
///
/// PNG: gray, gray + alpha, RGB, RGBA, palette (expanded to RGB, or RGBA when it has a tRNS
/// chunk), 1/2/4-bit gray (expanded to 8 bits) and 16-bit samples (kept as 16 bits).
/// JPEG: gray, RGB (YCbCr), CMYK/YCCK (converted to RGB). The EXIF orientation (JPEG APP1, PNG
/// eXIf chunk) is honoured.
///
/// ```swift
/// let image = try ImageDecoder.decode(path: "cat.jpg")
/// let rgb = image.floatImage(channels: 3)   // HWC, 0...1
/// ```
public enum ImageDecoder {
  /// The container format, from the file's first bytes.
  public enum Format: String, Sendable {
    case png, jpeg
  }

  /// The format of `bytes` by signature, or nil when it is neither PNG nor JPEG.
  public static func format(of bytes: Data) -> Format? {
    if bytes.count >= 8, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
    if bytes.count >= 3, bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
    return nil
  }

  /// Decodes an image file. Throws ``BadSampleError`` naming `path` when the file cannot be
  /// read, is not a PNG/JPEG or is corrupt or truncated.
  ///
  /// - Parameter minimumSize: for JPEG, let libjpeg-turbo decode at 1/2, 1/4 or 1/8 size in
  ///   the DCT domain when the (upright) result is still at least this large (Pillow's
  ///   `draft`); much faster for large photos. nil decodes at full size.
  public static func decode(
    path: String, applyOrientation: Bool = true, minimumSize: (width: Int, height: Int)? = nil
  ) throws -> DecodedImage {
    // Only regular files (through links): a FIFO or a device named .jpg would block or never end.
    var st = stat()
    guard stat(path, &st) == 0 else {
      throw BadSampleError(path: path, reason: "cannot read file (\(String(cString: strerror(errno))))")
    }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw BadSampleError(path: path, reason: "not a regular file") }
    guard st.st_size > 0 else { throw BadSampleError(path: path, reason: "empty file (0 bytes)") }
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw BadSampleError(path: path, reason: "cannot read file (\(error.localizedDescription))")
    }
    do {
      return try decode(data: data, applyOrientation: applyOrientation, minimumSize: minimumSize)
    } catch let error as DataError {
      throw BadSampleError(path: path, reason: error.message)
    }
  }

  /// Decodes PNG or JPEG bytes. Throws ``DataError`` when they are neither or are corrupt.
  public static func decode(
    data: Data, applyOrientation: Bool = true, minimumSize: (width: Int, height: Int)? = nil
  ) throws -> DecodedImage {
    guard let format = format(of: data) else {
      throw DataError("not a PNG or JPEG image (unrecognised signature)")
    }
    var image = ic_image()
    var message = [CChar](repeating: 0, count: 256)
    let status: Int32 = data.withUnsafeBytes { raw in
      let base = raw.bindMemory(to: UInt8.self).baseAddress!
      return message.withUnsafeMutableBufferPointer { m in
        switch format {
        case .png: return ic_png_decode(base, raw.count, &image, m.baseAddress, m.count)
        case .jpeg:
          return ic_jpeg_decode_scaled(
            base, raw.count, Int32(clamping: minimumSize?.width ?? 0), Int32(clamping: minimumSize?.height ?? 0),
            &image, m.baseAddress, m.count)
        }
      }
    }
    defer { ic_image_free(&image) }
    guard status == 0, let pixels = image.pixels else {
      let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
      throw DataError("corrupt \(format.rawValue.uppercased()): \(text)")
    }
    let count = Int(image.width) * Int(image.height) * Int(image.channels)
    let samples: ImageSamples
    if image.bit_depth == 16 {
      samples = .uint16(Array(UnsafeBufferPointer(start: pixels.assumingMemoryBound(to: UInt16.self), count: count)))
    } else {
      samples = .uint8(Array(UnsafeBufferPointer(start: pixels.assumingMemoryBound(to: UInt8.self), count: count)))
    }
    let decoded = DecodedImage(
      width: Int(image.width), height: Int(image.height), channels: Int(image.channels), samples: samples)
    return applyOrientation ? decoded.oriented(Int(image.orientation)) : decoded
  }

  /// The EXIF orientation tag (1...8) of a JPEG or PNG: 1 when absent or unreadable.
  public static func exifOrientation(data: Data) -> Int {
    guard let format = format(of: data) else { return 1 }
    var image = ic_image()
    let status: Int32 = data.withUnsafeBytes { raw in
      let base = raw.bindMemory(to: UInt8.self).baseAddress!
      switch format {
      case .png: return ic_png_decode(base, raw.count, &image, nil, 0)
      case .jpeg: return ic_jpeg_decode(base, raw.count, &image, nil, 0)
      }
    }
    defer { ic_image_free(&image) }
    return status == 0 ? Int(image.orientation) : 1
  }
}
