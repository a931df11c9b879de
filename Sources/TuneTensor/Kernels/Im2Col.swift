/// The geometry of an N-D sliding window over one image: spatial sizes of the image and of the
/// window grid, kernel, strides, dilations and begin pads (end pads are implied by the sizes).
public struct WindowGeometry: Sendable, Equatable {
  public var imageSpatial: [Int]
  public var outputSpatial: [Int]
  public var kernel: [Int]
  public var strides: [Int]
  public var dilations: [Int]
  public var padsBegin: [Int]

  public init(
    imageSpatial: [Int], outputSpatial: [Int], kernel: [Int], strides: [Int], dilations: [Int],
    padsBegin: [Int]
  ) {
    self.imageSpatial = imageSpatial
    self.outputSpatial = outputSpatial
    self.kernel = kernel
    self.strides = strides
    self.dilations = dilations
    self.padsBegin = padsBegin
  }

  public var rank: Int { imageSpatial.count }
  public var imageCount: Int { imageSpatial.reduce(1, *) }
  public var outputCount: Int { outputSpatial.reduce(1, *) }
  public var kernelCount: Int { kernel.reduce(1, *) }

  /// True for a 1×…×1 kernel with unit strides and no padding: the column matrix is the image.
  public var isPointwise: Bool {
    kernel.allSatisfy { $0 == 1 } && strides.allSatisfy { $0 == 1 } && padsBegin.allSatisfy { $0 == 0 }
      && imageSpatial == outputSpatial
  }
}

/// im2col / col2im for N-D convolution through GEMM.
///
/// The column matrix has one row per (channel, kernel offset) — row `c·K + k` with `K` the
/// kernel element count — and one column per output position; rows are `ldcol` long and an
/// image's columns start at `columnOffset`, so several images can sit side by side.
public enum Im2Col {
  /// Walks every (channel·kernel offset, outer output position) row segment: calls
  /// `body(rowStart, imageRowOffset or nil, lastStart, lastCount... )` — see the callers.
  @inline(__always)
  static func forEachSegment(
    channels: Int, geometry g: WindowGeometry,
    _ body: (
      _ colRow: Int, _ colColumn: Int, _ imageOffset: Int?, _ lastKernelOffset: Int
    ) -> Void
  ) {
    let rank = g.rank
    let kernelCount = g.kernelCount
    let lastOut = g.outputSpatial[rank - 1]
    let outerOutCount = lastOut == 0 ? 0 : g.outputCount / lastOut
    var imageStrides = [Int](repeating: 1, count: rank)
    for d in stride(from: rank - 2, through: 0, by: -1) {
      imageStrides[d] = imageStrides[d + 1] * g.imageSpatial[d + 1]
    }
    var kIndex = [Int](repeating: 0, count: rank)
    var oIndex = [Int](repeating: 0, count: rank)
    for c in 0..<channels {
      for d in 0..<rank { kIndex[d] = 0 }
      for k in 0..<kernelCount {
        let row = c * kernelCount + k
        for d in 0..<rank { oIndex[d] = 0 }
        for outer in 0..<outerOutCount {
          // Offset of the outer (all but last) coordinates in the image, or nil if padding.
          var offset: Int? = c * g.imageCount
          for d in 0..<(rank - 1) {
            let i = oIndex[d] * g.strides[d] + kIndex[d] * g.dilations[d] - g.padsBegin[d]
            if i < 0 || i >= g.imageSpatial[d] {
              offset = nil
              break
            }
            offset! += i * imageStrides[d]
          }
          body(row, outer * lastOut, offset, kIndex[rank - 1] * g.dilations[rank - 1] - g.padsBegin[rank - 1])
          var d = rank - 2
          while d >= 0 {
            oIndex[d] += 1
            if oIndex[d] < g.outputSpatial[d] { break }
            oIndex[d] = 0
            d -= 1
          }
        }
        var d = rank - 1
        while d >= 0 {
          kIndex[d] += 1
          if kIndex[d] < g.kernel[d] { break }
          kIndex[d] = 0
          d -= 1
        }
      }
    }
  }

  /// The range of last-axis output positions `o` whose input `o·stride + shift` lies in `[0, size)`.
  @inline(__always)
  static func validRange(count: Int, stride: Int, shift: Int, size: Int) -> Range<Int> {
    // o·stride + shift >= 0  ⇔  o >= ceil(-shift / stride)
    let lo = shift >= 0 ? 0 : (-shift + stride - 1) / stride
    // o·stride + shift <= size - 1  ⇔  o <= floor((size - 1 - shift) / stride)
    let top = size - 1 - shift
    let hi = top < 0 ? 0 : top / stride + 1
    let l = min(lo, count)
    return l..<max(l, min(hi, count))
  }

  /// Fills the column matrix of `channels` channels of one image.
  public static func im2col(
    image: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
    columns: UnsafeMutablePointer<Float>, ldcol: Int, columnOffset: Int
  ) {
    if g.rank <= 2 {
      im2col2D(image: image, channels: channels, geometry: g, columns: columns, ldcol: ldcol, columnOffset: columnOffset)
      return
    }
    let rank = g.rank
    let lastOut = g.outputSpatial[rank - 1]
    let lastSize = g.imageSpatial[rank - 1]
    let s = g.strides[rank - 1]
    forEachSegment(channels: channels, geometry: g) { row, column, offset, shift in
      let dst = columns + row * ldcol + columnOffset + column
      guard let offset else {
        dst.update(repeating: 0, count: lastOut)
        return
      }
      let valid = validRange(count: lastOut, stride: s, shift: shift, size: lastSize)
      if valid.lowerBound > 0 { dst.update(repeating: 0, count: valid.lowerBound) }
      let src = image + offset + shift
      if s == 1 {
        (dst + valid.lowerBound).update(from: src + valid.lowerBound, count: valid.count)
      } else {
        for o in valid { dst[o] = src[o * s] }
      }
      if valid.upperBound < lastOut {
        (dst + valid.upperBound).update(repeating: 0, count: lastOut - valid.upperBound)
      }
    }
  }

  /// Row pieces are short in late layers (2 to 16 floats, 1 at a padded edge): inline loops
  /// there, `memmove`/`memset` only for long ones (a call per piece cost more than the copy).
  @inline(__always) static func copy(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int) {
    if n >= 64 {
      dst.update(from: src, count: n)
    } else {
      for j in 0..<n { dst[j] = src[j] }
    }
  }

  @inline(__always) static func zero(_ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    if n >= 64 {
      dst.update(repeating: 0, count: n)
    } else {
      for j in 0..<n { dst[j] = 0 }
    }
  }

  /// `im2col` for 1-D and 2-D windows (1-D as height 1): plain nested loops, no per-row
  /// bookkeeping, contiguous copies for unit stride.
  static func im2col2D(
    image: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
    columns: UnsafeMutablePointer<Float>, ldcol: Int, columnOffset: Int
  ) {
    let two = g.rank == 2
    let ih = two ? g.imageSpatial[0] : 1
    let iw = g.imageSpatial[g.rank - 1]
    let oh = two ? g.outputSpatial[0] : 1
    let ow = g.outputSpatial[g.rank - 1]
    let kh = two ? g.kernel[0] : 1
    let kw = g.kernel[g.rank - 1]
    let sh = two ? g.strides[0] : 1
    let sw = g.strides[g.rank - 1]
    let dh = two ? g.dilations[0] : 1
    let dw = g.dilations[g.rank - 1]
    let ph = two ? g.padsBegin[0] : 0
    let pw = g.padsBegin[g.rank - 1]
    // Rows and columns of the (zero-padded) plane the windows read.
    let needH = (oh - 1) * sh + (kh - 1) * dh + 1
    let needW = (ow - 1) * sw + (kw - 1) * dw + 1
    if ph >= 0, pw >= 0, oh > 0, ow > 0 {
      let paddedH = max(ih + ph, needH)
      let paddedW = max(iw + pw, needW)
      if ph == 0 && pw == 0 && paddedH == ih && paddedW == iw {
        gather2D(
          planes: image, planeStride: ih * iw, width: iw, channels: channels, oh: oh, ow: ow, kh: kh, kw: kw,
          sh: sh, sw: sw, dh: dh, dw: dw, columns: columns + columnOffset, ldcol: ldcol)
        return
      }
      if paddedH * paddedW <= 1 << 16 {
        // Each channel is copied into a zero-bordered plane first, so that every window row
        // is a plain copy (no edge tests, no divisions): the border is zeroed once.
        withUnsafeTemporaryAllocation(of: Float.self, capacity: paddedH * paddedW) { buffer in
          let padded = buffer.baseAddress!
          padded.initialize(repeating: 0, count: paddedH * paddedW)
          let rows = min(ih, paddedH - ph)
          let cols = min(iw, paddedW - pw)
          for c in 0..<channels {
            let plane = image + c * ih * iw
            for r in 0..<rows { copy(padded + (r + ph) * paddedW + pw, plane + r * iw, cols) }
            gather2D(
              planes: padded, planeStride: 0, width: paddedW, channels: 1, oh: oh, ow: ow, kh: kh, kw: kw,
              sh: sh, sw: sw, dh: dh, dw: dw, columns: columns + columnOffset + c * kh * kw * ldcol, ldcol: ldcol)
          }
        }
        return
      }
    }
    var row = columns + columnOffset
    for c in 0..<channels {
      let plane = image + c * ih * iw
      for y in 0..<kh {
        for x in 0..<kw {
          let shift = x * dw - pw
          let valid = validRange(count: ow, stride: sw, shift: shift, size: iw)
          var dst = row
          for o in 0..<oh {
            let r = o * sh + y * dh - ph
            if r < 0 || r >= ih {
              zero(dst, ow)
            } else {
              zero(dst, valid.lowerBound)
              let src = plane + r * iw + shift
              if sw == 1 {
                copy(dst + valid.lowerBound, src + valid.lowerBound, valid.count)
              } else {
                var j = valid.lowerBound
                while j < valid.upperBound {
                  dst[j] = src[j * sw]
                  j += 1
                }
              }
              zero(dst + valid.upperBound, ow - valid.upperBound)
            }
            dst += ow
          }
          row += ldcol
        }
      }
    }
  }

  /// im2col rows of `channels` planes that need no padding (every window lies inside).
  @inline(__always)
  static func gather2D(
    planes: UnsafePointer<Float>, planeStride: Int, width: Int, channels: Int, oh: Int, ow: Int, kh: Int,
    kw: Int, sh: Int, sw: Int, dh: Int, dw: Int, columns: UnsafeMutablePointer<Float>, ldcol: Int
  ) {
    var row = columns
    for c in 0..<channels {
      let plane = planes + c * planeStride
      for y in 0..<kh {
        for x in 0..<kw {
          var dst = row
          var src = plane + y * dh * width + x * dw
          if sw == 1 {
            for _ in 0..<oh {
              copy(dst, src, ow)
              dst += ow
              src += sh * width
            }
          } else {
            for _ in 0..<oh {
              for j in 0..<ow { dst[j] = src[j * sw] }
              dst += ow
              src += sh * width
            }
          }
          row += ldcol
        }
      }
    }
  }

  /// Adds the column matrix back into `channels` channels of one image (the adjoint of
  /// `im2col`); the image must be initialised (zeroed or holding a partial sum).
  public static func col2im(
    columns: UnsafePointer<Float>, ldcol: Int, columnOffset: Int, channels: Int,
    geometry g: WindowGeometry, image: UnsafeMutablePointer<Float>
  ) {
    let rank = g.rank
    let lastOut = g.outputSpatial[rank - 1]
    let lastSize = g.imageSpatial[rank - 1]
    let s = g.strides[rank - 1]
    forEachSegment(channels: channels, geometry: g) { row, column, offset, shift in
      guard let offset else { return }
      let src = columns + row * ldcol + columnOffset + column
      let valid = validRange(count: lastOut, stride: s, shift: shift, size: lastSize)
      let dst = image + offset + shift
      if s == 1 {
        for o in valid { dst[o] += src[o] }
      } else {
        for o in valid { dst[o * s] += src[o] }
      }
    }
  }

  /// Reference twin of `im2col`: element by element with explicit bounds checks.
  public static func im2colNaive(
    image: UnsafePointer<Float>, channels: Int, geometry g: WindowGeometry,
    columns: UnsafeMutablePointer<Float>, ldcol: Int, columnOffset: Int
  ) {
    let kernelCount = g.kernelCount
    for c in 0..<channels {
      for k in 0..<kernelCount {
        let kIndex = unflatten(k, g.kernel)
        for o in 0..<g.outputCount {
          let oIndex = unflatten(o, g.outputSpatial)
          var inside = true
          var flat = 0
          for d in 0..<g.rank {
            let i = oIndex[d] * g.strides[d] + kIndex[d] * g.dilations[d] - g.padsBegin[d]
            if i < 0 || i >= g.imageSpatial[d] { inside = false }
            flat = flat * g.imageSpatial[d] + i
          }
          columns[(c * kernelCount + k) * ldcol + columnOffset + o] =
            inside ? image[c * g.imageCount + flat] : 0
        }
      }
    }
  }

  /// Reference twin of `col2im`.
  public static func col2imNaive(
    columns: UnsafePointer<Float>, ldcol: Int, columnOffset: Int, channels: Int,
    geometry g: WindowGeometry, image: UnsafeMutablePointer<Float>
  ) {
    let kernelCount = g.kernelCount
    for c in 0..<channels {
      for k in 0..<kernelCount {
        let kIndex = unflatten(k, g.kernel)
        for o in 0..<g.outputCount {
          let oIndex = unflatten(o, g.outputSpatial)
          var inside = true
          var flat = 0
          for d in 0..<g.rank {
            let i = oIndex[d] * g.strides[d] + kIndex[d] * g.dilations[d] - g.padsBegin[d]
            if i < 0 || i >= g.imageSpatial[d] { inside = false }
            flat = flat * g.imageSpatial[d] + i
          }
          if inside {
            image[c * g.imageCount + flat] += columns[(c * kernelCount + k) * ldcol + columnOffset + o]
          }
        }
      }
    }
  }

  /// Row-major multi-index of flat index `i` in `shape`.
  public static func unflatten(_ i: Int, _ shape: [Int]) -> [Int] {
    var r = [Int](repeating: 0, count: shape.count)
    var rest = i
    for d in stride(from: shape.count - 1, through: 0, by: -1) {
      r[d] = rest % shape[d]
      rest /= shape[d]
    }
    return r
  }
}
