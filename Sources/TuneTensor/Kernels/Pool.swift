/// Pooling over N-D windows of NC… tensors: max (with optional argmax indices), average (with or
/// without padded cells in the divisor) and Lp.
///
/// `pool2D` is the fast path for 1-D and 2-D windows (1-D is a 2-D window of height 1), spread
/// across the cores by plane; `poolNaive` handles any rank element by element and is the
/// reference twin tests compare `pool2D` with.
public enum PoolKernel {
  public enum Kind: Sendable, Equatable {
    case max
    /// Average; `countIncludePad` divides by the window cells inside the padded image.
    case average(countIncludePad: Bool)
    /// `(Σ|x|^p)^(1/p)`.
    case lp(p: Float)
  }

  /// Geometry plus the end pads (needed for `count_include_pad`).
  public struct Shape: Sendable {
    public var window: WindowGeometry
    public var padsEnd: [Int]
    public init(window: WindowGeometry, padsEnd: [Int]) {
      self.window = window
      self.padsEnd = padsEnd
    }
  }

  /// Pools `planes` planes (batch × channels). `indices`, for max pooling, receives the flat
  /// index of each maximum in the whole input (row-major spatial order, or column-major when
  /// `columnMajorIndices`), as ONNX MaxPool's second output.
  public static func pool2D(
    _ kind: Kind, shape: Shape, planes: Int, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>? = nil,
    columnMajorIndices: Bool = false
  ) {
    let w = shape.window
    precondition(w.rank == 1 || w.rank == 2)
    let two = w.rank == 2
    let ih = two ? w.imageSpatial[0] : 1
    let iw = w.imageSpatial[w.rank - 1]
    let oh = two ? w.outputSpatial[0] : 1
    let ow = w.outputSpatial[w.rank - 1]
    let kh = two ? w.kernel[0] : 1
    let kw = w.kernel[w.rank - 1]
    let sh = two ? w.strides[0] : 1
    let sw = w.strides[w.rank - 1]
    let dh = two ? w.dilations[0] : 1
    let dw = w.dilations[w.rank - 1]
    let ph = two ? w.padsBegin[0] : 0
    let pw = w.padsBegin[w.rank - 1]
    let peh = two ? shape.padsEnd[0] : 0
    let pew = shape.padsEnd[w.rank - 1]
    // Per output column: the kernel range whose cells are inside the image, and the count of
    // cells inside the padded image.
    func ranges(out: Int, stride: Int, pad: Int, padEnd: Int, dilation: Int, kernel: Int, size: Int)
      -> [(Range<Int>, Int)]
    {
      (0..<out).map { o in
        let start = o * stride - pad
        var lo = kernel
        var hi = 0
        var padded = 0
        for j in 0..<kernel {
          let p = start + j * dilation
          if p >= 0 && p < size {
            lo = min(lo, j)
            hi = max(hi, j + 1)
          }
          if p < size + padEnd { padded += 1 }
        }
        return (lo < hi ? lo..<hi : 0..<0, padded)
      }
    }
    let rows = ranges(out: oh, stride: sh, pad: ph, padEnd: peh, dilation: dh, kernel: kh, size: ih)
    let cols = ranges(out: ow, stride: sw, pad: pw, padEnd: pew, dilation: dw, kernel: kw, size: iw)
    let plane = ih * iw
    if case .max = kind, indices == nil {
      maxPool2D(
        planes: planes, plane: plane, outputSize: (oh, ow), rows: rows.map(\.0), cols: cols.map(\.0),
        origin: (ph, pw), strides: (sh, sw), dilations: (dh, dw), imageWidth: iw, kernelWidth: kw, input: input,
        output: output, cost: oh * ow * kh * kw)
      return
    }
    ParallelKernels.run(planes, cost: oh * ow * kh * kw) { p in
      let src = input + p * plane
      let dst = output + p * oh * ow
      for y in 0..<oh {
        let (ry, py) = rows[y]
        let y0 = y * sh - ph
        for x in 0..<ow {
          let (rx, px) = cols[x]
          let x0 = x * sw - pw
          let outIndex = y * ow + x
          switch kind {
          case .max:
            var best = -Float.infinity
            var at = -1
            for j in ry {
              let row = src + (y0 + j * dh) * iw + x0
              for i in rx {
                let v = row[i * dw]
                if v > best || at < 0 || (v.isNaN && !best.isNaN) {
                  best = v
                  at = (y0 + j * dh) * iw + x0 + i * dw
                }
              }
            }
            dst[outIndex] = at < 0 ? -Float.infinity : best
            if let indices {
              var flat = max(at, 0)
              if columnMajorIndices {
                flat = (flat / iw) + (flat % iw) * ih
              }
              indices[p * oh * ow + outIndex] = Int64(p * plane + flat)
            }
          case .average(let includePad):
            var sum: Float = 0
            for j in ry {
              let row = src + (y0 + j * dh) * iw + x0
              for i in rx { sum += row[i * dw] }
            }
            let n = includePad ? py * px : ry.count * rx.count
            dst[outIndex] = n > 0 ? sum / Float(n) : 0
          case .lp(let pValue):
            var sum: Float = 0
            for j in ry {
              let row = src + (y0 + j * dh) * iw + x0
              for i in rx { sum += powf(abs(row[i * dw]), pValue) }
            }
            dst[outIndex] = powf(sum, 1 / pValue)
          }
        }
      }
    }
  }

  /// Max pooling without indices (the common case), separably: per output row, the maximum of
  /// the window's input rows over every column (eight columns at a time), then per output the
  /// maximum of that row's window columns. NaN propagates as in the general path.
  static func maxPool2D(
    planes: Int, plane: Int, outputSize: (Int, Int), rows: [Range<Int>], cols: [Range<Int>],
    origin: (Int, Int), strides: (Int, Int), dilations: (Int, Int), imageWidth iw: Int, kernelWidth kw: Int,
    input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, cost: Int
  ) {
    let (oh, ow) = outputSize
    let (ph, pw) = origin
    let (sh, sw) = strides
    let (dh, dw) = dilations
    let rowLo = rows.map(\.lowerBound)
    let rowHi = rows.map(\.upperBound)
    let colLo = cols.map(\.lowerBound)
    let colHi = cols.map(\.upperBound)
    // The outputs whose windows lie whole inside the row (one range: the windows move right),
    // taken eight at a time when the strides and dilation allow.
    let whole = (0..<ow).filter { colLo[$0] == 0 && colHi[$0] == kw }
    let vector = dw == 1 && (sw == 1 || sw == 2) && !whole.isEmpty ? whole.first!..<(whole.last! + 1) : 0..<0
    rowLo.withUnsafeBufferPointer { rowLo in
      rowHi.withUnsafeBufferPointer { rowHi in
        colLo.withUnsafeBufferPointer { colLo in
          colHi.withUnsafeBufferPointer { colHi in
            ParallelKernels.run(planes, cost: cost) { p in
              withUnsafeTemporaryAllocation(of: Float.self, capacity: iw + 16) { buffer in
                let t = buffer.baseAddress!
                let src = input + p * plane
                let dst = output + p * oh * ow
                for y in 0..<oh {
                  let y0 = y * sh - ph
                  let (jLo, jHi) = (rowLo[y], rowHi[y])
                  if jLo < jHi {
                    columnMax(
                      rows: src + (y0 + jLo * dh) * iw, count: jHi - jLo, rowStep: dh * iw, width: iw, into: t)
                  } else {
                    t.update(repeating: -.infinity, count: iw)
                  }
                  let d = dst + y * ow
                  /// Output x one at a time.
                  func one(_ x: Int) {
                    let row = t + (x * sw - pw)
                    var best = -Float.infinity
                    var unordered: UInt8 = 0  // a NaN was seen (kept branch-free)
                    var i = colLo[x]
                    let iHi = colHi[x]
                    while i < iHi {
                      let v = row[i * dw]
                      best = v > best ? v : best
                      unordered |= v.isNaN ? 1 : 0
                      i += 1
                    }
                    d[x] = unordered != 0 ? .nan : best
                  }
                  var x = 0
                  while x < vector.lowerBound {
                    one(x)
                    x += 1
                  }
                  // Eight whole windows at a time (strides 1 or 2, no dilation): tap i of
                  // outputs x..<x+8 is t[x·sw − pw + i + sw·j], j < 8. The last eight end at
                  // the range's end, overlapping the ones before (ResNet-18's 16-wide output
                  // rows have 15 whole windows: 1 + 8 + 7 ran 8 outputs one at a time).
                  while x < vector.upperBound && vector.count >= 8 {
                    x = min(x, vector.upperBound - 8)
                    let base = t + (x * sw - pw)
                    var best = SIMD8<Float>(repeating: -.infinity)
                    for i in 0..<kw {
                      let v: SIMD8<Float>
                      if sw == 1 {
                        v = UnsafeRawPointer(base + i).loadUnaligned(as: SIMD8<Float>.self)
                      } else {
                        let pair = UnsafeRawPointer(base + (i & ~1)).loadUnaligned(as: SIMD16<Float>.self)
                        v = i & 1 == 0 ? pair.evenHalf : pair.oddHalf
                      }
                      best = best.replacing(with: v, where: (v .> best) .| (v .!= v))
                    }
                    UnsafeMutableRawPointer(d + x).storeBytes(of: best, as: SIMD8<Float>.self)
                    x += 8
                  }
                  while x < ow {
                    one(x)
                    x += 1
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  /// `t[i]` = the maximum of `rows[r·rowStep + i]` over `count` ≥ 1 rows, NaN when any is NaN.
  @inline(__always)
  static func columnMax(
    rows: UnsafePointer<Float>, count: Int, rowStep: Int, width: Int, into t: UnsafeMutablePointer<Float>
  ) {
    t.update(from: rows, count: width)
    var r = 1
    while r < count {
      let row = rows + r * rowStep
      var i = 0
      while i + 8 <= width {
        let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
        let m = UnsafeRawPointer(t + i).loadUnaligned(as: SIMD8<Float>.self)
        let take = (v .> m) .| (v .!= v)
        UnsafeMutableRawPointer(t + i).storeBytes(of: m.replacing(with: v, where: take), as: SIMD8<Float>.self)
        i += 8
      }
      while i < width {
        let v = row[i]
        if v > t[i] || v.isNaN { t[i] = v }
        i += 1
      }
      r += 1
    }
  }

  /// Any-rank pooling, one output element at a time with explicit bounds checks.
  public static func poolNaive(
    _ kind: Kind, shape: Shape, planes: Int, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>? = nil,
    columnMajorIndices: Bool = false
  ) {
    let w = shape.window
    let plane = w.imageCount
    for p in 0..<planes {
      for o in 0..<w.outputCount {
        let oIndex = Im2Col.unflatten(o, w.outputSpatial)
        var best = -Float.infinity
        var at = -1
        var sum = 0.0
        var inside = 0
        var padded = 0
        for k in 0..<w.kernelCount {
          let kIndex = Im2Col.unflatten(k, w.kernel)
          var flat = 0
          var colFlat = 0
          var colStride = 1
          var isInside = true
          var isPadded = true
          for d in 0..<w.rank {
            let i = oIndex[d] * w.strides[d] + kIndex[d] * w.dilations[d] - w.padsBegin[d]
            if i < 0 || i >= w.imageSpatial[d] { isInside = false }
            if i >= w.imageSpatial[d] + shape.padsEnd[d] { isPadded = false }
            flat = flat * w.imageSpatial[d] + i
            colFlat += i * colStride
            colStride *= w.imageSpatial[d]
          }
          if isPadded { padded += 1 }
          guard isInside else { continue }
          inside += 1
          let v = input[p * plane + flat]
          switch kind {
          case .max:
            if at < 0 || v > best || (v.isNaN && !best.isNaN) {
              best = v
              at = columnMajorIndices ? colFlat : flat
            }
          case .average: sum += Double(v)
          case .lp(let pValue): sum += pow(Double(abs(v)), Double(pValue))
          }
        }
        let out = p * w.outputCount + o
        switch kind {
        case .max:
          output[out] = best
          indices?[out] = Int64(p * plane + max(at, 0))
        case .average(let includePad):
          let n = includePad ? padded : inside
          output[out] = n > 0 ? Float(sum / Double(n)) : 0
        case .lp(let pValue):
          output[out] = Float(pow(sum, 1 / Double(pValue)))
        }
      }
    }
  }

  /// Max or average over each whole plane (GlobalMaxPool / GlobalAveragePool).
  public static func global(
    max isMax: Bool, planes: Int, planeSize: Int, input: UnsafePointer<Float>,
    output: UnsafeMutablePointer<Float>
  ) {
    ParallelKernels.run(planes, cost: planeSize) { p in
      let src = input + p * planeSize
      if isMax {
        var best = planeSize > 0 ? src[0] : -Float.infinity
        for i in 0..<planeSize where src[i] > best || src[i].isNaN { best = src[i] }
        output[p] = best
      } else {
        var sum: Float = 0
        for i in 0..<planeSize { sum += src[i] }
        output[p] = planeSize > 0 ? sum / Float(planeSize) : .nan
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
#endif
