import CImageCodec
import Foundation

/// Pixel samples as the codec produced them: 8-bit for JPEG and most PNGs, 16-bit for 16-bit PNGs.
public enum ImageSamples: Sendable, Equatable {
  case uint8([UInt8])
  case uint16([UInt16])

  /// The largest sample value: 255 or 65535.
  public var maximum: Float {
    switch self {
    case .uint8: return 255
    case .uint16: return 65535
    }
  }
}

/// A decoded image in HWC order (rows top to bottom, channels interleaved), with its EXIF
/// orientation already applied.
///
/// `channels` is 1 (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA).
public struct DecodedImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  public var channels: Int
  public var samples: ImageSamples

  public init(width: Int, height: Int, channels: Int, samples: ImageSamples) {
    self.width = width
    self.height = height
    self.channels = channels
    self.samples = samples
  }

  /// The samples as floats, either in the source range (`normalized: false`: 0...255 or
  /// 0...65535) or scaled to 0...1.
  public func floatSamples(normalized: Bool = true) -> [Float] {
    let scale: Float = normalized ? 1 / samples.maximum : 1
    switch samples {
    case .uint8(let values): return values.map { Float($0) * scale }
    case .uint16(let values): return values.map { Float($0) * scale }
    }
  }

  /// The image as float HWC in 0...1 with `channels` channels (1 or 3): gray is repeated to
  /// RGB, alpha is dropped, RGB becomes gray with ITU-R 601-2 luma (as Pillow's `convert("L")`).
  public func floatImage(channels target: Int) -> FloatImage {
    let source = floatSamples()
    return FloatImage(
      width: width, height: height, channels: target,
      pixels: ChannelMap(from: channels, to: target).apply(source, pixelCount: width * height))
  }
}

/// A float image in HWC order.
public struct FloatImage: Sendable, Equatable {
  public var width: Int
  public var height: Int
  public var channels: Int
  public var pixels: [Float]

  public init(width: Int, height: Int, channels: Int, pixels: [Float]) {
    precondition(pixels.count == width * height * channels)
    self.width = width
    self.height = height
    self.channels = channels
    self.pixels = pixels
  }
}

/// How source channels (1...4) become the 1 or 3 channels a model wants.
struct ChannelMap: Sendable {
  var source: Int
  var target: Int

  init(from source: Int, to target: Int) {
    self.source = source
    self.target = target
  }

  /// Luma weights of Pillow's `convert("L")` (ITU-R 601-2).
  static let luma: (Float, Float, Float) = (0.299, 0.587, 0.114)

  /// The value of output channel `c` of one pixel whose source samples start at `p[base]`.
  @inline(__always)
  func value(_ p: UnsafeBufferPointer<Float>, _ base: Int, _ c: Int) -> Float {
    if target == 1 {
      if source <= 2 { return p[base] }
      return Self.luma.0 * p[base] + Self.luma.1 * p[base + 1] + Self.luma.2 * p[base + 2]
    }
    return source <= 2 ? p[base] : p[base + c]
  }

  func apply(_ pixels: [Float], pixelCount: Int) -> [Float] {
    if source == target { return pixels }
    var out = [Float](repeating: 0, count: pixelCount * target)
    pixels.withUnsafeBufferPointer { p in
      for i in 0..<pixelCount {
        for c in 0..<target { out[i * target + c] = value(p, i * source, c) }
      }
    }
    return out
  }
}

extension DecodedImage {
  /// Applies an EXIF orientation (1...8) so that the image displays upright.
  ///
  /// 2 mirror, 3 rotate 180°, 4 flip vertical, 5 transpose, 6 rotate 90° clockwise,
  /// 7 transverse, 8 rotate 90° counter-clockwise (the table Pillow's `exif_transpose` uses).
  public func oriented(_ orientation: Int) -> DecodedImage {
    guard (2...8).contains(orientation) else { return self }
    switch samples {
    case .uint8(let v):
      let (w, h, out) = Self.reorient(v, width, height, channels, orientation)
      return DecodedImage(width: w, height: h, channels: channels, samples: .uint8(out))
    case .uint16(let v):
      let (w, h, out) = Self.reorient(v, width, height, channels, orientation)
      return DecodedImage(width: w, height: h, channels: channels, samples: .uint16(out))
    }
  }

  static func reorient<T: Sendable>(
    _ src: [T], _ width: Int, _ height: Int, _ channels: Int, _ orientation: Int
  ) -> (Int, Int, [T]) {
    let swaps = orientation >= 5
    let ow = swaps ? height : width
    let oh = swaps ? width : height
    var out = src
    src.withUnsafeBufferPointer { s in
      out.withUnsafeMutableBufferPointer { d in
        for oy in 0..<oh {
          for ox in 0..<ow {
            // Source coordinates of output pixel (ox, oy).
            let sx: Int
            let sy: Int
            switch orientation {
            case 2: (sx, sy) = (width - 1 - ox, oy)
            case 3: (sx, sy) = (width - 1 - ox, height - 1 - oy)
            case 4: (sx, sy) = (ox, height - 1 - oy)
            case 5: (sx, sy) = (oy, ox)
            case 6: (sx, sy) = (oy, height - 1 - ox)
            case 7: (sx, sy) = (width - 1 - oy, height - 1 - ox)
            default: (sx, sy) = (width - 1 - oy, ox)  // 8
            }
            let si = (sy * width + sx) * channels
            let di = (oy * ow + ox) * channels
            for c in 0..<channels { d[di + c] = s[si + c] }
          }
        }
      }
    }
    return (ow, oh, out)
  }
}
