/// Antialiased bilinear resampling with Pillow's coefficients (`Image.resize(..., BILINEAR)`,
/// `libImaging/Resample.c`): a triangle filter whose support widens by the scale factor when
/// shrinking, so every source pixel contributes (no aliasing), and plain bilinear interpolation
/// when enlarging. Separable: a horizontal pass over the rows the vertical pass needs, then a
/// vertical pass.
enum Resample {
  /// Per output pixel: the first source index and the normalized weights (`kernelSize` each).
  struct Coefficients {
    var start: [Int]
    var count: [Int]
    var weights: [Float]
    var kernelSize: Int
  }

  /// Coefficients mapping the source interval `[in0, in1)` (of a dimension of `inSize`) onto
  /// `outSize` pixels.
  static func coefficients(inSize: Int, in0: Double, in1: Double, outSize: Int, scale extra: Float = 1)
    -> Coefficients
  {
    let scale = (in1 - in0) / Double(outSize)
    let filterScale = max(scale, 1)
    let support = 1.0 * filterScale
    let kernelSize = Int(support.rounded(.up)) * 2 + 1
    var start = [Int](repeating: 0, count: outSize)
    var count = [Int](repeating: 0, count: outSize)
    var weights = [Float](repeating: 0, count: outSize * kernelSize)
    var k = [Double](repeating: 0, count: kernelSize)
    for xx in 0..<outSize {
      let center = in0 + (Double(xx) + 0.5) * scale
      let inverse = 1.0 / filterScale
      // C's (int) truncates toward zero, as Pillow does.
      var xmin = Int((center - support + 0.5).rounded(.towardZero))
      if xmin < 0 { xmin = 0 }
      var xmax = Int((center + support + 0.5).rounded(.towardZero))
      if xmax > inSize { xmax = inSize }
      xmax -= xmin
      if xmax > kernelSize { xmax = kernelSize }
      if xmax < 0 { xmax = 0 }
      var total = 0.0
      for x in 0..<xmax {
        var t = abs((Double(x + xmin) - center + 0.5) * inverse)
        t = t < 1 ? 1 - t : 0
        k[x] = t
        total += t
      }
      for x in 0..<xmax {
        weights[xx * kernelSize + x] = Float(total != 0 ? k[x] / total : 0) * extra
      }
      start[xx] = xmin
      count[xx] = xmax
    }
    return Coefficients(start: start, count: count, weights: weights, kernelSize: kernelSize)
  }

  /// Resamples the box `(x0, y0, x1, y1)` (source pixel coordinates, may be fractional) of an
  /// HWC image to `outWidth` × `outHeight`, multiplying every value by `scale`.
  static func resize<T: ResampleSample>(
    _ source: UnsafeBufferPointer<T>, width: Int, height: Int, channels: Int,
    box: (x0: Double, y0: Double, x1: Double, y1: Double), outWidth: Int, outHeight: Int,
    scale: Float = 1
  ) -> [Float] {
    let horizontal = coefficients(inSize: width, in0: box.x0, in1: box.x1, outSize: outWidth, scale: scale)
    let vertical = coefficients(inSize: height, in0: box.y0, in1: box.y1, outSize: outHeight)
    // Rows the vertical pass reads.
    var firstRow = height
    var lastRow = 0
    for y in 0..<outHeight where vertical.count[y] > 0 {
      firstRow = min(firstRow, vertical.start[y])
      lastRow = max(lastRow, vertical.start[y] + vertical.count[y])
    }
    if firstRow >= lastRow { return [Float](repeating: 0, count: outWidth * outHeight * channels) }
    let rows = lastRow - firstRow
    let rowStride = outWidth * channels
    var temporary = [Float](repeating: 0, count: rows * rowStride)
    let kernel = horizontal.kernelSize
    temporary.withUnsafeMutableBufferPointer { tmpBuffer in
      horizontal.weights.withUnsafeBufferPointer { wBuffer in
        horizontal.start.withUnsafeBufferPointer { starts in
          horizontal.count.withUnsafeBufferPointer { counts in
            let tmp = tmpBuffer.baseAddress!
            let w = wBuffer.baseAddress!
            let src = source.baseAddress!
            for r in 0..<rows {
              let srcRow = src + (firstRow + r) * width * channels
              var out = tmp + r * rowStride
              for x in 0..<outWidth {
                let n = counts[x]
                let wx = w + x * kernel
                if channels == 3 {
                  var s0: Float = 0
                  var s1: Float = 0
                  var s2: Float = 0
                  var p = srcRow + starts[x] * 3
                  for i in 0..<n {
                    let wi = wx[i]
                    s0 += p[0].floatValue * wi
                    s1 += p[1].floatValue * wi
                    s2 += p[2].floatValue * wi
                    p += 3
                  }
                  out[0] = s0
                  out[1] = s1
                  out[2] = s2
                  out += 3
                } else {
                  let p = srcRow + starts[x] * channels
                  for c in 0..<channels {
                    var s: Float = 0
                    for i in 0..<n { s += p[i * channels + c].floatValue * wx[i] }
                    out[c] = s
                  }
                  out += channels
                }
              }
            }
          }
        }
      }
    }
    var output = [Float](repeating: 0, count: outHeight * rowStride)
    let vKernel = vertical.kernelSize
    output.withUnsafeMutableBufferPointer { outBuffer in
      temporary.withUnsafeBufferPointer { tmpBuffer in
        vertical.weights.withUnsafeBufferPointer { wBuffer in
          let out = outBuffer.baseAddress!
          let tmp = tmpBuffer.baseAddress!
          for y in 0..<outHeight {
            let ymin = vertical.start[y] - firstRow
            let n = vertical.count[y]
            let dst = out + y * rowStride
            for i in 0..<n {
              let wi = wBuffer[y * vKernel + i]
              let row = tmp + (ymin + i) * rowStride
              for j in 0..<rowStride { dst[j] += row[j] * wi }
            }
          }
        }
      }
    }
    return output
  }
}

/// Sample types the resampler reads directly (no float copy of the whole source image).
protocol ResampleSample { var floatValue: Float { get } }
extension UInt8: ResampleSample {
  @inline(__always) var floatValue: Float { Float(self) }
}
extension UInt16: ResampleSample {
  @inline(__always) var floatValue: Float { Float(self) }
}
extension Float: ResampleSample {
  @inline(__always) var floatValue: Float { self }
}

extension DecodedImage {
  /// Resamples the box `(x0, y0, x1, y1)` of this image to `width` × `height` with
  /// antialiased bilinear filtering (Pillow's `BILINEAR`); values scaled to 0...1, channels kept.
  public func resized(
    width outWidth: Int, height outHeight: Int,
    box: (x0: Double, y0: Double, x1: Double, y1: Double)? = nil
  ) -> FloatImage {
    let b = box ?? (0, 0, Double(width), Double(height))
    let scale = 1 / samples.maximum
    let pixels: [Float]
    switch samples {
    case .uint8(let v):
      pixels = v.withUnsafeBufferPointer {
        Resample.resize($0, width: width, height: height, channels: channels, box: b,
          outWidth: outWidth, outHeight: outHeight, scale: scale)
      }
    case .uint16(let v):
      pixels = v.withUnsafeBufferPointer {
        Resample.resize($0, width: width, height: height, channels: channels, box: b,
          outWidth: outWidth, outHeight: outHeight, scale: scale)
      }
    }
    return FloatImage(width: outWidth, height: outHeight, channels: channels, pixels: pixels)
  }
}

extension FloatImage {
  /// Resamples the box `(x0, y0, x1, y1)` of this image to `width` × `height` with
  /// antialiased bilinear filtering (Pillow's `BILINEAR` on mode `F` planes).
  public func resized(
    width outWidth: Int, height outHeight: Int,
    box: (x0: Double, y0: Double, x1: Double, y1: Double)? = nil
  ) -> FloatImage {
    let b = box ?? (0, 0, Double(width), Double(height))
    let out = pixels.withUnsafeBufferPointer {
      Resample.resize($0, width: width, height: height, channels: channels, box: b,
        outWidth: outWidth, outHeight: outHeight)
    }
    return FloatImage(width: outWidth, height: outHeight, channels: channels, pixels: out)
  }
}
