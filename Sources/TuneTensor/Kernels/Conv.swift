import CKernels
import Dispatch

/// The shape of an N-D grouped convolution (NCHW layout, weights `[M, C/groups, k...]`).
public struct ConvGeometry: Sendable, Equatable {
  public var batch: Int
  public var inputChannels: Int
  public var outputChannels: Int
  public var groups: Int
  /// Image = input, output = the conv output.
  public var window: WindowGeometry

  public init(batch: Int, inputChannels: Int, outputChannels: Int, groups: Int, window: WindowGeometry) {
    self.batch = batch
    self.inputChannels = inputChannels
    self.outputChannels = outputChannels
    self.groups = groups
    self.window = window
  }

  /// Input channels per group.
  public var groupInputChannels: Int { inputChannels / groups }
  /// Output channels per group.
  public var groupOutputChannels: Int { outputChannels / groups }
  /// GEMM inner dimension per group: `C/groups · prod(kernel)`.
  public var groupReduction: Int { groupInputChannels * window.kernelCount }
}

/// Convolution forward passes: im2col + `cblas_sgemm` (images batched side by side so small
/// late layers still make wide GEMMs), a direct kernel for depthwise 1-D/2-D convolutions, and
/// `forwardNaive`, the reference twin.
public enum ConvKernel {
  /// Upper bound on the im2col buffer, in floats (64 MiB).
  public static let columnBudget = 16 << 20
  /// Target GEMM width: images are batched until a product has about this many columns.
  public static let targetColumns = 1024
  /// Whether `forward` sends stride-2 and narrow depthwise 3×3 convolutions to
  /// `depthwise3x3Blocked` (a switch for benchmarks and tests).
  nonisolated(unsafe) public static var useBlockedDepthwise = true

  /// `output = act(conv(input, weight) + bias + sum)` (`epilogue` gives the sum input and the
  /// activation; none by default); `output` holds `batch · M · prod(outputSpatial)`.
  public static func forward(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none
  ) {
    let w = g.window
    let outCount = w.outputCount
    if g.batch == 0 || g.outputChannels == 0 || outCount == 0 { return }
    if g.groupInputChannels == 1 && w.rank <= 2 && g.groups > 1 {
      if prefersDirectDepthwise(g) {
        depthwise3x3Direct(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
        return
      }
      if useBlockedDepthwise && prefersBlockedDepthwise(g) {
        depthwise3x3Blocked(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
        return
      }
      depthwise(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
      return
    }
    if prefersPointwiseKernel(g) {
      pointwise(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
      return
    }
    if prefersImageColumns(g) {
      imageColumns(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
      return
    }
    if prefersWindowedKernel(g) {
      windowed(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
      return
    }
    // With our own worker pool driving a single-threaded BLAS, a batch is split into one range
    // of images per worker, each run start to finish on one core (one fork-join per Conv);
    // otherwise (a batch of one, or BLAS threading itself) the work inside is spread instead.
    let workers = ParallelKernels.splitsGemm ? min(ParallelKernels.threads, g.batch) : 1
    if workers > 1 {
      ParallelKernels.runRanges(g.batch, cost: 1 << 20) { images in
        forwardImages(g, images, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue, serial: true)
      }
    } else {
      forwardImages(g, 0..<g.batch, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue, serial: false)
    }
  }

  /// How many of `available` images go side by side into one product: enough for about
  /// `targetColumns` columns, within `columnBudget` floats of columns (`reduction` rows).
  static func imagesPerProduct(_ available: Int, positions: Int, reduction: Int) -> Int {
    let wide = max(1, min(available, (targetColumns + positions - 1) / max(positions, 1)))
    return max(1, min(wide, columnBudget / max(1, reduction * positions)))
  }

  /// The GEMM convolution of the images in `images`; `serial` keeps every step on the calling
  /// thread (the caller splits the batch), otherwise each step spreads itself over the workers.
  static func forwardImages(
    _ g: ConvGeometry, _ images: Range<Int>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue, serial: Bool
  ) {
    let w = g.window
    let outCount = w.outputCount
    let mg = g.groupOutputChannels
    let cg = g.groupInputChannels
    let kg = g.groupReduction
    let inCount = w.imageCount
    let inImage = g.inputChannels * inCount
    let outImage = g.outputChannels * outCount
    func gemm(m: Int, n: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
      if serial {
        GemmKernel.sgemm(false, false, m, n, kg, 1, a, kg, b, ldb, 0, c, ldc)
      } else {
        GemmKernel.gemm(
          transposeA: false, transposeB: false, m: m, n: n, k: kg, alpha: 1, a: a, lda: kg, b: b, ldb: ldb, beta: 0,
          c: c, ldc: ldc)
      }
    }
    /// Bias, sum and activation over `channels` planes starting at `offset`.
    func finish(_ offset: Int, channels: Int, bias: UnsafePointer<Float>?) {
      if bias == nil && epilogue.isEmpty { return }
      let e = ConvEpilogue(sum: epilogue.sum.map { $0 + offset }, activation: epilogue.activation)
      if serial {
        for c in 0..<channels {
          let p = output + offset + c * outCount
          e.finish(p, p, outCount, bias: bias?[c] ?? 0, sum: e.sum.map { $0 + c * outCount })
        }
      } else {
        ConvEpilogue.apply(e, bias: bias, output: output + offset, batch: 1, channels: channels, plane: outCount)
      }
    }
    if w.isPointwise && (outCount >= 256 || images.count == 1) {
      // 1×1 on a large enough image: the image is already the column matrix.
      for n in images {
        for grp in 0..<g.groups {
          gemm(
            m: mg, n: outCount, a: weight + grp * mg * kg, b: input + n * inImage + grp * cg * inCount,
            ldb: inCount, c: output + n * outImage + grp * mg * outCount, ldc: outCount)
        }
        // Finished per image, while its output is still in cache.
        finish(n * outImage, channels: g.outputChannels, bias: bias)
      }
      return
    }
    let chunk = imagesPerProduct(images.count, positions: outCount, reduction: kg)
    let ld = chunk * outCount
    let columns = UnsafeMutablePointer<Float>.allocate(capacity: kg * ld)
    defer { columns.deallocate() }
    let staging = chunk > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: mg * ld) : nil
    defer { staging?.deallocate() }
    // (`n0` a constant per chunk: a `var` captured by the closures below would be boxed and
    // its exclusive access checked on every call.)
    for n0 in stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
      let count = min(chunk, images.upperBound - n0)
      let width = count * outCount
      for grp in 0..<g.groups {
        let image = { (i: Int) in input + (n0 + i) * inImage + grp * cg * inCount }
        if serial {
          for i in 0..<count {
            Im2Col.im2col(
              image: image(i), channels: cg, geometry: w, columns: columns, ldcol: width, columnOffset: i * outCount)
          }
        } else {
          fillColumns(count: count, ld: width, channels: cg, window: w, image: image, columns: columns)
        }
        let a = weight + grp * mg * kg
        if count == 1 {
          let base = n0 * outImage + grp * mg * outCount
          gemm(m: mg, n: outCount, a: a, b: columns, ldb: width, c: output + base, ldc: outCount)
          finish(base, channels: mg, bias: bias.map { $0 + grp * mg })
        } else {
          let s = staging!
          gemm(m: mg, n: width, a: a, b: columns, ldb: width, c: s, ldc: width)
          // [mg, count·outCount] → [count][mg][outCount], adding the bias (and sum,
          // activation) on the way.
          let copyRow = { (item: Int) in
            let (i, m) = item.quotientAndRemainder(dividingBy: mg)
            let offset = (n0 + i) * outImage + (grp * mg + m) * outCount
            epilogue.finish(
              output + offset, s + m * width + i * outCount, outCount, bias: bias?[grp * mg + m] ?? 0,
              sum: epilogue.sum.map { $0 + offset })
          }
          if serial {
            for item in 0..<(count * mg) { copyRow(item) }
          } else {
            ParallelKernels.run(count * mg, cost: outCount, copyRow)
          }
        }
      }
    }
  }

  /// im2col of `count` images side by side, spread over the cores in channel blocks.
  static func fillColumns(
    count: Int, ld: Int, channels: Int, window: WindowGeometry,
    image: (Int) -> UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>
  ) {
    let outCount = window.outputCount
    let kernelCount = window.kernelCount
    let images = (0..<count).map(image)
    let blocks = min(channels, max(1, ParallelKernels.threads * 2 / max(count, 1)))
    let imageCount = window.imageCount
    ParallelKernels.run(count * blocks, cost: kernelCount * outCount * channels / blocks) { item in
      let i = item / blocks
      let b = item % blocks
      let c0 = channels * b / blocks
      let c1 = channels * (b + 1) / blocks
      Im2Col.im2col(
        image: images[i] + c0 * imageCount, channels: c1 - c0, geometry: window,
        columns: columns + c0 * kernelCount * ld, ldcol: ld, columnOffset: i * outCount)
    }
  }

  static func addBias(
    _ bias: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, batch: Int, channels: Int,
    plane: Int
  ) {
    for n in 0..<batch {
      for c in 0..<channels {
        let b = bias[c]
        let p = output + (n * channels + c) * plane
        for i in 0..<plane { p[i] += b }
      }
    }
  }

  /// Direct depthwise convolution (one input channel per group, any channel multiplier) for
  /// 1-D and 2-D windows; 1-D is a 2-D window of height 1.
  ///
  /// Each plane is first copied into a zero-padded scratch plane covering every window, so the
  /// inner loops have no bounds checks; 3×3 undilated kernels use a fused nine-tap loop.
  public static func depthwise(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none
  ) {
    let w = g.window
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
    // The padded plane: every window of every output position fits inside it.
    let paddedH = max((oh - 1) * sh + (kh - 1) * dh + 1, ph + ih)
    let paddedW = max((ow - 1) * sw + (kw - 1) * dw + 1, pw + iw)
    let multiplier = g.groupOutputChannels
    let planes = g.batch * g.outputChannels
    let inputChannels = g.inputChannels
    let outputChannels = g.outputChannels
    ParallelKernels.runRanges(planes, cost: oh * ow * kh * kw) { range in
      // Small 3×3 stride-1 planes are computed over whole padded rows in one flat loop (see
      // below); its last taps read up to 2 floats past the plane, hence the slack.
      let flat = kh == 3 && kw == 3 && dh == 1 && dw == 1 && sh == 1 && sw == 1 && ow < 32
      let slack = 8
      let padded = UnsafeMutablePointer<Float>.allocate(capacity: paddedH * paddedW + slack)
      defer { padded.deallocate() }
      padded.update(repeating: 0, count: paddedH * paddedW + slack)
      let rowsOut = flat ? UnsafeMutablePointer<Float>.allocate(capacity: oh * paddedW) : nil
      defer { rowsOut?.deallocate() }
      // Stride 2 (3×3): the padded plane's even and odd columns apart, so that the three taps
      // of a row read `even[j]`, `odd[j]`, `even[j + 1]`: contiguous, vectorizable loads.
      let deinterleave = sw == 2 && kw == 3 && kh == 3 && dh == 1 && dw == 1
      let halfW = (paddedW + 1) / 2
      let split = deinterleave ? UnsafeMutablePointer<Float>.allocate(capacity: 2 * paddedH * halfW) : nil
      defer { split?.deallocate() }
      split?.update(repeating: 0, count: 2 * paddedH * halfW)
      var loadedPlane = -1
      for plane in range {
        let n = plane / outputChannels
        let m = plane % outputChannels
        let c = m / multiplier
        let srcPlane = (n * inputChannels + c)
        if srcPlane != loadedPlane {
          // Only the image area changes between planes; the padding stays zero.
          let src = input + srcPlane * ih * iw
          for r in 0..<min(ih, paddedH - ph) {
            copyFloats(from: src + r * iw, to: padded + (r + ph) * paddedW + pw, count: min(iw, paddedW - pw))
          }
          loadedPlane = srcPlane
          if let split {
            for r in 0..<paddedH {
              let row = padded + r * paddedW
              let even = split + r * halfW
              let odd = split + (paddedH + r) * halfW
              for k in 0..<(paddedW / 2) {
                even[k] = row[2 * k]
                odd[k] = row[2 * k + 1]
              }
              if paddedW % 2 == 1 { even[paddedW / 2] = row[paddedW - 1] }
            }
          }
        }
        let dst = output + plane * oh * ow
        let b = bias?[m] ?? 0
        let wk = weight + m * kh * kw
        if let rowsOut {
          // Output position (o, j) for every j < paddedW (the last columns are discarded), as
          // one loop over i = o·paddedW + j: each tap is a fixed offset from i. Rows of a few
          // floats would otherwise leave the vector loop to its scalar remainder.
          let (w0, w1, w2, w3, w4) = (wk[0], wk[1], wk[2], wk[3], wk[4])
          let (w5, w6, w7, w8) = (wk[5], wk[6], wk[7], wk[8])
          let a = padded
          let (a1, a2) = (a + 1, a + 2)
          let bb = a + paddedW
          let (b1, b2) = (bb + 1, bb + 2)
          let cc = bb + paddedW
          let (c1, c2) = (cc + 1, cc + 2)
          let t = rowsOut
          for i in 0..<(oh * paddedW) {
            t[i] = b + w0 * a[i] + w1 * a1[i] + w2 * a2[i] + w3 * bb[i] + w4 * b1[i] + w5 * b2[i]
              + w6 * cc[i] + w7 * c1[i] + w8 * c2[i]
          }
          for o in 0..<oh { copyFloats(from: t + o * paddedW, to: dst + o * ow, count: ow) }
        } else if kh == 3 && kw == 3 && dh == 1 && dw == 1 {
          let (w0, w1, w2, w3, w4) = (wk[0], wk[1], wk[2], wk[3], wk[4])
          let (w5, w6, w7, w8) = (wk[5], wk[6], wk[7], wk[8])
          for o in 0..<oh {
            let a = padded + o * sh * paddedW
            let bb = a + paddedW
            let cc = bb + paddedW
            let (a1, a2, b1, b2, c1, c2) = (a + 1, a + 2, bb + 1, bb + 2, cc + 1, cc + 2)
            let d = dst + o * ow
            if sw == 1 {
              for j in 0..<ow {
                d[j] = b + w0 * a[j] + w1 * a1[j] + w2 * a2[j] + w3 * bb[j] + w4 * b1[j] + w5 * b2[j]
                  + w6 * cc[j] + w7 * c1[j] + w8 * c2[j]
              }
            } else if let split {
              // Same sum, same order as below, from the deinterleaved columns.
              let r0 = o * sh
              let (ae, ao) = (split + r0 * halfW, split + (paddedH + r0) * halfW)
              let (be, bo) = (ae + halfW, ao + halfW)
              let (ce, co) = (be + halfW, bo + halfW)
              let (ae1, be1, ce1) = (ae + 1, be + 1, ce + 1)
              for j in 0..<ow {
                d[j] = b + w0 * ae[j] + w1 * ao[j] + w2 * ae1[j] + w3 * be[j] + w4 * bo[j] + w5 * be1[j]
                  + w6 * ce[j] + w7 * co[j] + w8 * ce1[j]
              }
            } else {
              for j in 0..<ow {
                let p = j &* sw
                d[j] = b + w0 * a[p] + w1 * a1[p] + w2 * a2[p] + w3 * bb[p] + w4 * b1[p] + w5 * b2[p]
                  + w6 * cc[p] + w7 * c1[p] + w8 * c2[p]
              }
            }
          }
        } else {
          dst.update(repeating: b, count: oh * ow)
          for o in 0..<oh {
            let d = dst + o * ow
            for y in 0..<kh {
              let rowPointer = padded + (o * sh + y * dh) * paddedW
              for x in 0..<kw {
                let wv = wk[y * kw + x]
                let s = rowPointer + x * dw
                if sw == 1 {
                  for j in 0..<ow { d[j] += wv * s[j] }
                } else {
                  for j in 0..<ow { d[j] += wv * s[j &* sw] }
                }
              }
            }
          }
        }
        if !epilogue.isEmpty {
          epilogue.finish(dst, dst, oh * ow, bias: 0, sum: epilogue.sum.map { $0 + plane * oh * ow })
        }
      }
    }
  }

  /// Copies `count` floats between buffers that do not overlap, in vectors (the last one
  /// overlapping the one before): rows of a dozen floats cost a call into memmove each otherwise
  /// (9% of MobileNetV2's 12x12 depthwise layers).
  @inline(__always)
  static func copyFloats(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    typealias V8 = SIMD8<Float>
    typealias V4 = SIMD4<Float>
    func move<V: SIMD>(_: V.Type, _ at: Int) where V.Scalar == Float {
      UnsafeMutableRawPointer(dst + at).storeBytes(of: UnsafeRawPointer(src + at).loadUnaligned(as: V.self), as: V.self)
    }
    if count >= 8 {
      var j = 0
      while j + 8 <= count {
        move(V8.self, j)
        j += 8
      }
      if j < count { move(V8.self, count - 8) }
    } else if count >= 4 {
      move(V4.self, 0)
      move(V4.self, count - 4)
    } else {
      if count > 0 { dst[0] = src[0] }
      if count > 1 { dst[1] = src[1] }
      if count > 2 { dst[2] = src[2] }
    }
  }

  /// Reference twin: the convolution sum written out directly, accumulating in Double.
  public static func forwardNaive(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
  ) {
    let w = g.window
    let mg = g.groupOutputChannels
    let cg = g.groupInputChannels
    for n in 0..<g.batch {
      for m in 0..<g.outputChannels {
        let grp = m / mg
        for o in 0..<w.outputCount {
          let oIndex = Im2Col.unflatten(o, w.outputSpatial)
          var sum = Double(bias?[m] ?? 0)
          for c in 0..<cg {
            for k in 0..<w.kernelCount {
              let kIndex = Im2Col.unflatten(k, w.kernel)
              var flat = 0
              var inside = true
              for d in 0..<w.rank {
                let i = oIndex[d] * w.strides[d] + kIndex[d] * w.dilations[d] - w.padsBegin[d]
                if i < 0 || i >= w.imageSpatial[d] { inside = false }
                flat = flat * w.imageSpatial[d] + i
              }
              if !inside { continue }
              let x = input[(n * g.inputChannels + grp * cg + c) * w.imageCount + flat]
              let wv = weight[(m * cg + c) * w.kernelCount + k]
              sum += Double(x) * Double(wv)
            }
          }
          output[(n * g.outputChannels + m) * w.outputCount + o] = Float(sum)
        }
      }
    }
  }

  /// Transposed convolution: `weight` is `[C, M/groups, k...]`; `g.window` describes the
  /// *forward* convolution whose image is this op's output and whose output grid is this op's
  /// input. Each group is one GEMM (`Wᵀ·X`) followed by col2im.
  public static func transposeForward(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
  ) {
    let w = g.window
    let inCount = w.outputCount  // this op's input positions
    let outCount = w.imageCount  // this op's output positions
    let cg = g.groupInputChannels
    let mg = g.groupOutputChannels
    let rows = mg * w.kernelCount
    output.update(repeating: 0, count: g.batch * g.outputChannels * outCount)
    if inCount == 0 || rows == 0 {
      if let bias { addBias(bias, output: output, batch: g.batch, channels: g.outputChannels, plane: outCount) }
      return
    }
    let columns = UnsafeMutablePointer<Float>.allocate(capacity: rows * inCount)
    defer { columns.deallocate() }
    for n in 0..<g.batch {
      for grp in 0..<g.groups {
        GemmKernel.gemm(
          transposeA: true, transposeB: false, m: rows, n: inCount, k: cg, alpha: 1,
          a: weight + grp * cg * rows, lda: rows,
          b: input + (n * g.inputChannels + grp * cg) * inCount, ldb: inCount, beta: 0,
          c: columns, ldc: inCount)
        Im2Col.col2im(
          columns: columns, ldcol: inCount, columnOffset: 0, channels: mg, geometry: w,
          image: output + (n * g.outputChannels + grp * mg) * outCount)
      }
    }
    if let bias { addBias(bias, output: output, batch: g.batch, channels: g.outputChannels, plane: outCount) }
  }

  /// Reference twin of `transposeForward`: scatters every input element through the kernel.
  public static func transposeForwardNaive(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
  ) {
    let w = g.window
    let cg = g.groupInputChannels
    let mg = g.groupOutputChannels
    let outCount = w.imageCount
    for n in 0..<g.batch {
      for m in 0..<g.outputChannels {
        for o in 0..<outCount { output[(n * g.outputChannels + m) * outCount + o] = bias?[m] ?? 0 }
      }
      for c in 0..<g.inputChannels {
        let grp = c / cg
        for p in 0..<w.outputCount {
          let pIndex = Im2Col.unflatten(p, w.outputSpatial)
          let x = input[(n * g.inputChannels + c) * w.outputCount + p]
          for mm in 0..<mg {
            let m = grp * mg + mm
            for k in 0..<w.kernelCount {
              let kIndex = Im2Col.unflatten(k, w.kernel)
              var flat = 0
              var inside = true
              for d in 0..<w.rank {
                let i = pIndex[d] * w.strides[d] + kIndex[d] * w.dilations[d] - w.padsBegin[d]
                if i < 0 || i >= w.imageSpatial[d] { inside = false }
                flat = flat * w.imageSpatial[d] + i
              }
              if !inside { continue }
              output[(n * g.outputChannels + m) * outCount + flat] +=
                x * weight[(c * mg + mm) * w.kernelCount + k]
            }
          }
        }
      }
    }
  }
}

/// Spreads independent work items over the cores: the calling thread and a pool of workers of
/// our own (`spread`).
public enum ParallelKernels {
  /// Worker count (default: the number of active processors). Set once at start-up (the CLI's
  /// `--threads`), before any kernel runs.
  nonisolated(unsafe) public static var threads: Int = max(1, ProcessInfo_activeProcessorCount())
  /// True when `GemmKernel.gemm` splits large products over `threads` workers itself, each
  /// calling a single-threaded BLAS (`ComputeThreads.set` in TuneRuntime sets it and makes
  /// OpenBLAS single-threaded: one pool of workers, none spinning while another computes).
  nonisolated(unsafe) public static var splitsGemm = false
  /// Whether `runChunks` (the elementwise kernels) uses the workers; off (see there).
  public static let elementwiseInParallel = false

  /// Runs `body(i)` for `i` in `0..<count`, in parallel when each item costs enough
  /// (`cost` is a rough per-item element count).
  @inline(__always)
  public static func run(_ count: Int, cost: Int, _ body: (Int) -> Void) {
    if threads == 1 || count < 2 || count * cost < 1 << 15 {
      for i in 0..<count { body(i) }
      return
    }
    let workers = min(threads, count)
    spread(workers) { t in
      let lo = count * t / workers
      let hi = count * (t + 1) / workers
      for i in lo..<hi { body(i) }
    }
  }

  /// Runs `task(t)` for `t` in `0..<tasks` on the calling thread and the pool's workers
  /// (`otk_pool_run`, Sources/CKernels/pool.c), returning when all have finished; serially when
  /// another thread's job is running or when called from inside a task.
  @inline(__always)
  public static func spread(_ tasks: Int, _ task: (Int) -> Void) {
    withoutActuallyEscaping(task) { task in
      var body = task
      withUnsafeMutablePointer(to: &body) { pointer in
        otk_pool_run(Int32(tasks), Int32(threads), { context, index in
          context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
        }, pointer)
      }
    }
  }
}

extension ParallelKernels {
  /// Runs `body` over `0..<count` split into one contiguous range per worker when there are at
  /// least `grain` elements per worker (memory-bound elementwise loops: below that, waking
  /// the workers costs more than it saves).
  @inlinable @inline(__always)
  public static func runChunks(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    // Serial for now: split over two workers, the elementwise loops (a closure call per element)
    // ran up to 4x slower than on one (measured on Relu/Clip in place, and a training step of
    // MobileNetV2 got slower on 2 threads than on 1); to be understood before turning it back on.
    let workers = Self.elementwiseInParallel ? min(threads, count / max(grain, 1)) : 1
    if workers < 2 {
      body(0..<count)
      return
    }
    spread(workers) { t in body((count * t / workers)..<(count * (t + 1) / workers)) }
  }

  /// Splits `0..<count` into one contiguous range per worker (so each can set up scratch
  /// memory once) and runs `body` on each, in parallel when the work is large enough.
  public static func runRanges(_ count: Int, cost: Int, _ body: (Range<Int>) -> Void) {
    if count == 0 { return }
    if threads == 1 || count < 2 || count * cost < 1 << 15 {
      body(0..<count)
      return
    }
    let workers = min(threads, count)
    spread(workers) { t in body((count * t / workers)..<(count * (t + 1) / workers)) }
  }
}

/// Hands a value to the pool's workers (`spread`); the kernels guarantee the workers write
/// disjoint memory.
@usableFromInline struct UncheckedSendable<T>: @unchecked Sendable {
  @usableFromInline let value: T
  @usableFromInline init(_ value: T) { self.value = value }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func ProcessInfo_activeProcessorCount() -> Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#else
  import Foundation
  @inline(__always) func ProcessInfo_activeProcessorCount() -> Int { ProcessInfo.processInfo.activeProcessorCount }
#endif
