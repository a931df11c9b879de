import Foundation

/// A small, fast, seedable random number generator (SplitMix64), so that augmentation and
/// shuffling are reproducible: the same seed gives the same sequence on every machine.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// A generator for one `(seed, stream, index)`, e.g. `(seed, epoch, sample)`: independent of
  /// the order in which samples are processed or which thread processes them.
  public init(seed: UInt64, stream: UInt64, index: UInt64) {
    var g = SeededGenerator(seed: seed ^ 0x9E37_79B9_7F4A_7C15)
    let a = g.next()
    var h = SeededGenerator(seed: a ^ (stream &* 0xBF58_476D_1CE4_E5B9))
    let b = h.next()
    state = b ^ (index &* 0x94D0_49BB_1331_11EB)
  }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Random transforms for training images, applied before normalization (values in 0...1).
///
/// Each sample gets its own generator seeded from `(seed, epoch, index)`, so a run is
/// reproducible whatever the number of loader threads. Validation data is never augmented.
///
/// ```swift
/// let augmentation = Augmentation(horizontalFlip: true, cropScale: 0.5...1,
///                                 rotationDegrees: 10, brightness: 0.2, contrast: 0.2)
/// ```
public struct Augmentation: Sendable, Equatable {
  /// Mirror left-right with probability 1/2.
  public var horizontalFlip: Bool
  /// Random resized crop (torchvision's `RandomResizedCrop`): the fraction of the image area
  /// kept, or nil for the preprocessing's deterministic resize/crop.
  public var cropScale: ClosedRange<Double>?
  /// Aspect-ratio range of the random crop.
  public var cropRatio: ClosedRange<Double>
  /// Rotation by an angle drawn from `-rotationDegrees...rotationDegrees` (bilinear, corners
  /// filled with 0).
  public var rotationDegrees: Double
  /// Brightness factor drawn from `1 - brightness ... 1 + brightness`.
  public var brightness: Double
  /// Contrast factor drawn from `1 - contrast ... 1 + contrast` (around the mean gray).
  public var contrast: Double

  public init(
    horizontalFlip: Bool = true, cropScale: ClosedRange<Double>? = nil,
    cropRatio: ClosedRange<Double> = (3.0 / 4)...(4.0 / 3), rotationDegrees: Double = 0,
    brightness: Double = 0, contrast: Double = 0
  ) {
    self.horizontalFlip = horizontalFlip
    self.cropScale = cropScale
    self.cropRatio = cropRatio
    self.rotationDegrees = rotationDegrees
    self.brightness = brightness
    self.contrast = contrast
  }

  /// A common default: flip, crop keeping 35–100 % of the area, ±10°, ±20 % brightness/contrast.
  public static let standard = Augmentation(
    horizontalFlip: true, cropScale: 0.35...1, rotationDegrees: 10, brightness: 0.2, contrast: 0.2)

  /// The source box of a random resized crop (torchvision's algorithm: ten tries at a random
  /// area and log-uniform aspect ratio, then a central crop at the clamped ratio).
  public func randomResizedCrop<G: RandomNumberGenerator>(width: Int, height: Int, using g: inout G)
    -> (x0: Double, y0: Double, x1: Double, y1: Double)?
  {
    guard let cropScale else { return nil }
    let area = Double(width * height)
    let logRatio = log(cropRatio.lowerBound)...log(cropRatio.upperBound)
    for _ in 0..<10 {
      let target = area * Double.random(in: cropScale, using: &g)
      let ratio = exp(logRatio.lowerBound < logRatio.upperBound ? Double.random(in: logRatio, using: &g) : logRatio.lowerBound)
      let w = Int((target * ratio).squareRoot().rounded())
      let h = Int((target / ratio).squareRoot().rounded())
      if w > 0, h > 0, w <= width, h <= height {
        let i = Int.random(in: 0...(height - h), using: &g)
        let j = Int.random(in: 0...(width - w), using: &g)
        return (Double(j), Double(i), Double(j + w), Double(i + h))
      }
    }
    let inRatio = Double(width) / Double(height)
    var w = width
    var h = height
    if inRatio < cropRatio.lowerBound {
      h = Int((Double(w) / cropRatio.lowerBound).rounded())
    } else if inRatio > cropRatio.upperBound {
      w = Int((Double(h) * cropRatio.upperBound).rounded())
    }
    let i = (height - h) / 2
    let j = (width - w) / 2
    return (Double(j), Double(i), Double(j + w), Double(i + h))
  }

  /// Flip, rotation, brightness and contrast, in that order.
  public func apply<G: RandomNumberGenerator>(to image: inout FloatImage, using g: inout G) {
    if horizontalFlip, Bool.random(using: &g) { Self.flipHorizontally(&image) }
    if rotationDegrees > 0 {
      let degrees = Double.random(in: -rotationDegrees...rotationDegrees, using: &g)
      image = Self.rotated(image, degrees: degrees)
    }
    let b = brightness > 0 ? Float(Double.random(in: (1 - brightness)...(1 + brightness), using: &g)) : 1
    let c = contrast > 0 ? Float(Double.random(in: (1 - contrast)...(1 + contrast), using: &g)) : 1
    if b != 1 || c != 1 { Self.adjust(&image, brightness: b, contrast: c) }
  }

  /// Mirrors an image left-right.
  public static func flipHorizontally(_ image: inout FloatImage) {
    let w = image.width
    let ch = image.channels
    image.pixels.withUnsafeMutableBufferPointer { p in
      for y in 0..<image.height {
        let row = y * w * ch
        for x in 0..<(w / 2) {
          let a = row + x * ch
          let b = row + (w - 1 - x) * ch
          for c in 0..<ch { p.swapAt(a + c, b + c) }
        }
      }
    }
  }

  /// Rotates counter-clockwise by `degrees` about the center, bilinear, outside filled with 0.
  public static func rotated(_ image: FloatImage, degrees: Double) -> FloatImage {
    let w = image.width
    let h = image.height
    let ch = image.channels
    let theta = degrees * .pi / 180
    let cosT = Float(cos(theta))
    let sinT = Float(sin(theta))
    let cx = Float(w) / 2
    let cy = Float(h) / 2
    var out = [Float](repeating: 0, count: image.pixels.count)
    image.pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for y in 0..<h {
          for x in 0..<w {
            // Inverse mapping: the source point that lands on (x, y).
            let dx = Float(x) + 0.5 - cx
            let dy = Float(y) + 0.5 - cy
            let sx = cosT * dx - sinT * dy + cx - 0.5
            let sy = sinT * dx + cosT * dy + cy - 0.5
            let x0 = Int(sx.rounded(.down))
            let y0 = Int(sy.rounded(.down))
            let fx = sx - Float(x0)
            let fy = sy - Float(y0)
            // Bilinear weights of the four neighbours; those outside the image count as 0.
            let inX0 = x0 >= 0 && x0 < w
            let inX1 = x0 + 1 >= 0 && x0 + 1 < w
            let inY0 = y0 >= 0 && y0 < h
            let inY1 = y0 + 1 >= 0 && y0 + 1 < h
            let w00: Float = inY0 && inX0 ? (1 - fx) * (1 - fy) : 0
            let w01: Float = inY0 && inX1 ? fx * (1 - fy) : 0
            let w10: Float = inY1 && inX0 ? (1 - fx) * fy : 0
            let w11: Float = inY1 && inX1 ? fx * fy : 0
            let i00 = inY0 && inX0 ? (y0 * w + x0) * ch : 0
            let i01 = inY0 && inX1 ? (y0 * w + x0 + 1) * ch : 0
            let i10 = inY1 && inX0 ? ((y0 + 1) * w + x0) * ch : 0
            let i11 = inY1 && inX1 ? ((y0 + 1) * w + x0 + 1) * ch : 0
            let d = (y * w + x) * ch
            for c in 0..<ch {
              dst[d + c] = src[i00 + c] * w00 + src[i01 + c] * w01 + src[i10 + c] * w10 + src[i11 + c] * w11
            }
          }
        }
      }
    }
    return FloatImage(width: w, height: h, channels: ch, pixels: out)
  }

  /// `x * brightness`, then `(x - mean) * contrast + mean` with the image's mean luma, clamped
  /// to 0...1 (torchvision's `adjust_brightness` / `adjust_contrast`).
  public static func adjust(_ image: inout FloatImage, brightness: Float, contrast: Float) {
    let ch = image.channels
    image.pixels.withUnsafeMutableBufferPointer { p in
      if brightness != 1 {
        for i in 0..<p.count { p[i] = min(max(p[i] * brightness, 0), 1) }
      }
      if contrast != 1 {
        var total: Float = 0
        let n = p.count / ch
        for i in 0..<n {
          total += ch == 3 ? 0.299 * p[3 * i] + 0.587 * p[3 * i + 1] + 0.114 * p[3 * i + 2] : p[i * ch]
        }
        let mean = n > 0 ? total / Float(n) : 0
        for i in 0..<p.count { p[i] = min(max((p[i] - mean) * contrast + mean, 0), 1) }
      }
    }
  }
}
