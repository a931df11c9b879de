/// Convolution gradients: the input gradient ∂X and the weight gradient ∂W from ∂Y.
///
/// Through GEMM per chunk of images and group (K = C/groups · kernel size, P = output
/// positions of the chunk's images side by side):
///   ∂W_g += ∂Y_g[M/g, P] · cols_gᵀ[P, K]
///   ∂X_g  = col2im(W_gᵀ[K, M/g] · ∂Y_g[M/g, P])     (col2im is im2col's adjoint)
/// with the batch split over the workers (each its own columns and ∂W partial sum, added in
/// worker order at the end), 1×1 convolutions without im2col/col2im (the image is the column
/// matrix), and depthwise 2-D convolutions eight channels at a time in channels-last tiles
/// instead of one tiny GEMM per channel. With unit strides and group 1, ∂X is instead the
/// forward convolution of ∂Y with the flipped weights (`inputGradientAsConvolution`) on the
/// windowed kernel.
extension ConvKernel {
  /// `gradInput` (`batch · C · image`) and `gradWeight` (`M · C/groups · kernel`), when given,
  /// are overwritten with ∂X and ∂W of `forward` for the output gradient `gradOutput`.
  public static func backward(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?
  ) {
    let w = g.window
    let weightCount = g.outputChannels * g.groupReduction
    let empty = g.batch == 0 || w.outputCount == 0 || weightCount == 0 || (gradInput == nil && gradWeight == nil)
    // ∂X as a convolution on the windowed kernel overwrites every element: no zeroing first.
    let dxConvolution =
      empty || depthwiseBackwardApplies(g) ? nil : inputGradientAsConvolution(g).flatMap { prefersWindowedKernel($0) ? $0 : nil }
    // (∂W is written, not added to, by the first product of each worker's images.)
    if empty { gradWeight?.update(repeating: 0, count: weightCount) }
    if dxConvolution == nil { gradInput?.update(repeating: 0, count: g.batch * g.inputChannels * w.imageCount) }
    if empty { return }
    if depthwiseBackwardApplies(g) {
      depthwiseBackwardBlocked(g, input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput, gradWeight: gradWeight)
      return
    }
    var gradInput = gradInput
    if let dx = gradInput, let t = dxConvolution {
      // ∂X as a forward convolution of ∂Y with the flipped, transposed weights on the windowed
      // kernel: no Wᵀ·∂Y column matrix and no col2im (12% of a ResNet-18 training step).
      let (m, c, taps) = (g.outputChannels, g.inputChannels, w.kernelCount)
      let flipped = UnsafeMutablePointer<Float>.allocate(capacity: m * c * taps)
      defer { flipped.deallocate() }
      // Sixteen input channels at a time: contiguous reads of each W row, sixteen sequential
      // write streams.
      for c0 in stride(from: 0, to: c, by: 16) {
        for mi in 0..<m {
          for ci in c0..<min(c0 + 16, c) {
            let src = weight + (mi * c + ci) * taps
            let dst = flipped + (ci * m + mi) * taps
            for tap in 0..<taps { dst[tap] = src[taps - 1 - tap] }
          }
        }
      }
      windowed(t, input: gradOutput, weight: flipped, bias: nil, output: dx)
      gradInput = nil
      if gradWeight == nil { return }
    }
    // With our workers driving a single-threaded BLAS, one range of images per worker;
    // otherwise one range, whose products spread themselves (GemmKernel.gemm or BLAS threads).
    let workers = ParallelKernels.splitsGemm ? min(ParallelKernels.threads, g.batch) : 1
    var partials: [UnsafeMutablePointer<Float>] = []
    if gradWeight != nil {
      for _ in 1..<max(workers, 1) {
        partials.append(UnsafeMutablePointer<Float>.allocate(capacity: weightCount))
      }
    }
    defer { partials.forEach { $0.deallocate() } }
    if workers > 1 {
      ParallelKernels.run(workers, cost: 1 << 20) { t in
        let images = (g.batch * t / workers)..<(g.batch * (t + 1) / workers)
        backwardImages(
          g, images, input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
          gradWeight: gradWeight == nil ? nil : (t == 0 ? gradWeight : partials[t - 1]), serial: true)
      }
    } else {
      backwardImages(
        g, 0..<g.batch, input: input, weight: weight, gradOutput: gradOutput, gradInput: gradInput,
        gradWeight: gradWeight, serial: false)
    }
    if let gradWeight {
      for p in partials {
        for i in 0..<weightCount { gradWeight[i] += p[i] }
      }
    }
  }

  /// The forward convolution whose output is ∂X of `g`, for group 1 and unit strides: ∂Y as
  /// the image, X's size as the output, the same kernel and dilations, begin pads
  /// (kernel − 1)·dilation − pad (nil when negative), weights flipped and transposed to
  /// [C, M, kernel]: ∂X[c, i] = Σ_m,k W[m, c, k] · ∂Y[m, i + pad − k·dilation].
  static func inputGradientAsConvolution(_ g: ConvGeometry) -> ConvGeometry? {
    let w = g.window
    guard g.groups == 1, w.strides.allSatisfy({ $0 == 1 }) else { return nil }
    let pads = (0..<w.rank).map { (w.kernel[$0] - 1) * w.dilations[$0] - w.padsBegin[$0] }
    guard pads.allSatisfy({ $0 >= 0 }) else { return nil }
    return ConvGeometry(
      batch: g.batch, inputChannels: g.outputChannels, outputChannels: g.inputChannels, groups: 1,
      window: WindowGeometry(
        imageSpatial: w.outputSpatial, outputSpatial: w.imageSpatial, kernel: w.kernel, strides: w.strides,
        dilations: w.dilations, padsBegin: pads))
  }

  /// The GEMM gradients of the images in `images`: added to `gradInput` (zero on entry),
  /// written to `gradWeight` (any contents on entry); `serial` keeps every product on the
  /// calling thread.
  static func backwardImages(
    _ g: ConvGeometry, _ images: Range<Int>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    gradOutput: UnsafePointer<Float>, gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?,
    serial: Bool
  ) {
    let w = g.window
    let (mg, cg, k) = (g.groupOutputChannels, g.groupInputChannels, g.groupReduction)
    let p = w.outputCount
    let imageSize = w.imageCount
    let pointwise = w.isPointwise
    func gemm(
      _ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ kk: Int, _ a: UnsafePointer<Float>, _ lda: Int,
      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
      if serial {
        GemmKernel.sgemm(ta, tb, m, n, kk, 1, a, lda, b, ldb, beta, c, ldc)
      } else {
        GemmKernel.gemm(
          transposeA: ta, transposeB: tb, m: m, n: n, k: kk, alpha: 1, a: a, lda: lda, b: b, ldb: ldb, beta: beta,
          c: c, ldc: ldc)
      }
    }
    // Images are taken a few at a time (like the forward pass) so that each product is wide
    // enough and the weights are packed once per chunk, not once per image: ∂Y of the chunk is
    // staged as [M/g, count·P], the columns as [K, count·P].
    let chunk = imagesPerProduct(images.count, positions: p, reduction: k)
    let width = chunk * p
    let columns = pointwise && chunk == 1 ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * width)
    defer { columns?.deallocate() }
    let staged = chunk > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: mg * width) : nil
    defer { staged?.deallocate() }
    // (`n0` a constant per chunk: a `var` captured by the closures below would be boxed and
    // its exclusive access checked on every call.)
    for n0 in stride(from: images.lowerBound, to: images.upperBound, by: chunk) {
      let count = min(chunk, images.upperBound - n0)
      let ld = count * p
      for group in 0..<g.groups {
        let image = { (i: Int) in input + ((n0 + i) * g.inputChannels + group * cg) * imageSize }
        let gradOut = { (i: Int) in gradOutput + ((n0 + i) * g.outputChannels + group * mg) * p }
        let dyMatrix: UnsafePointer<Float>
        if let staged {
          for i in 0..<count {
            for m in 0..<mg { (staged + m * ld + i * p).update(from: gradOut(i) + m * p, count: p) }
          }
          dyMatrix = UnsafePointer(staged)
        } else {
          dyMatrix = gradOut(0)
        }
        if let gradWeight {
          // ∂W_g[mg, k] += ∂Y[mg, count·p] · colsᵀ[count·p, k]
          let cols: UnsafePointer<Float>
          if let columns {
            for i in 0..<count {
              Im2Col.im2col(image: image(i), channels: cg, geometry: w, columns: columns, ldcol: ld, columnOffset: i * p)
            }
            cols = UnsafePointer(columns)
          } else {
            cols = image(0)
          }
          // (The first chunk writes it: ∂W arrives uninitialized.)
          gemm(false, true, mg, k, ld, dyMatrix, ld, cols, ld, n0 == images.lowerBound ? 0 : 1, gradWeight + group * mg * k, k)
        }
        if let gradInput {
          let dx = { (i: Int) in gradInput + ((n0 + i) * g.inputChannels + group * cg) * imageSize }
          let weights = weight + group * mg * k
          if let columns {
            // cols[k, count·p] = W_gᵀ · ∂Y, then added into each image's ∂X by col2im.
            gemm(true, false, k, ld, mg, weights, k, dyMatrix, ld, 0, columns, ld)
            for i in 0..<count {
              Im2Col.col2im(columns: columns, ldcol: ld, columnOffset: i * p, channels: cg, geometry: w, image: dx(i))
            }
          } else {
            gemm(true, false, k, p, mg, weights, k, dyMatrix, p, 0, dx(0), p)
          }
        }
      }
    }
  }

  /// True when `depthwiseBackwardBlocked` handles `g`: a 2-D convolution with one input and one
  /// output channel per group (any kernel, strides, dilations, pads).
  public static func depthwiseBackwardApplies(_ g: ConvGeometry) -> Bool {
    g.window.rank == 2 && g.groups > 1 && g.groups == g.inputChannels && g.outputChannels == g.inputChannels
  }

  /// Depthwise gradients eight channels at a time: per channel block and image, ∂Y and X are
  /// gathered into channels-last tiles (X with its zero border), then for every tap
  ///   ∂W[tap] += Σ ∂Y[o, j] · X[o·s + tap]   and   ∂X[o·s + tap] += W[tap] · ∂Y[o, j]
  /// as vector operations over the eight channels; ∂X is scattered back from its tile. Blocks
  /// are spread over the workers (each block's ∂W is one worker's), images run in order.
  static func depthwiseBackwardBlocked(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, gradOutput: UnsafePointer<Float>,
    gradInput: UnsafeMutablePointer<Float>?, gradWeight: UnsafeMutablePointer<Float>?
  ) {
    let w = g.window
    let (ih, iw) = (w.imageSpatial[0], w.imageSpatial[1])
    let (oh, ow) = (w.outputSpatial[0], w.outputSpatial[1])
    let (kh, kw) = (w.kernel[0], w.kernel[1])
    let (sh, sw) = (w.strides[0], w.strides[1])
    let (dh, dw) = (w.dilations[0], w.dilations[1])
    let (ph, pw) = (w.padsBegin[0], w.padsBegin[1])
    let channels = g.inputChannels
    let blocks = (channels + 7) / 8
    let taps = kh * kw
    // The zero-bordered tile covers every window and the whole image.
    let tileH = max((oh - 1) * sh + (kh - 1) * dh + 1, ph + ih)
    let tileW = max((ow - 1) * sw + (kw - 1) * dw + 1, pw + iw)
    let plane = oh * ow
    let imagePlane = ih * iw
    let batch = g.batch
    ParallelKernels.runRanges(blocks, cost: batch * plane * taps * 16) { range in
      let xTile = gradWeight == nil ? nil : UnsafeMutablePointer<Lanes>.allocate(capacity: tileH * tileW)
      defer { xTile?.deallocate() }
      // X's border stays zero; only the image area is rewritten per image.
      xTile?.initialize(repeating: Lanes(), count: tileH * tileW)
      let dxTile = gradInput == nil ? nil : UnsafeMutablePointer<Lanes>.allocate(capacity: tileH * tileW)
      defer { dxTile?.deallocate() }
      let dy = UnsafeMutablePointer<Lanes>.allocate(capacity: plane)
      defer { dy.deallocate() }
      let sums = UnsafeMutablePointer<Lanes>.allocate(capacity: taps)
      defer { sums.deallocate() }
      let wv = UnsafeMutablePointer<Lanes>.allocate(capacity: taps)
      defer { wv.deallocate() }
      for b in range {
        let c0 = b * 8
        let lanes = min(8, channels - c0)
        for t in 0..<taps {
          var v = Lanes()
          for k in 0..<lanes { v[k] = weight[(c0 + k) * taps + t] }
          wv[t] = v
        }
        sums.initialize(repeating: Lanes(), count: taps)
        for n in 0..<batch {
          gather(
            gradOutput + (n * channels + c0) * plane, lanes: lanes, plane: plane, rows: oh, cols: ow, width: ow,
            into: dy, tileW: ow)
          if let xTile {
            gather(
              input + (n * channels + c0) * imagePlane, lanes: lanes, plane: imagePlane, rows: ih, cols: iw, width: iw,
              into: xTile + ph * tileW + pw, tileW: tileW)
            for y in 0..<kh {
              for x in 0..<kw {
                // This image's sum apart, then added: shorter sums round less.
                var acc = Lanes()
                for o in 0..<oh {
                  let row = xTile + (o * sh + y * dh) * tileW + x * dw
                  let d = dy + o * ow
                  for j in 0..<ow { acc = acc + d[j] * row[j &* sw] }
                }
                sums[y * kw + x] += acc
              }
            }
          }
          if let dxTile, let gradInput {
            dxTile.update(repeating: Lanes(), count: tileH * tileW)
            for o in 0..<oh {
              let d = dy + o * ow
              for y in 0..<kh {
                for x in 0..<kw {
                  let row = dxTile + (o * sh + y * dh) * tileW + x * dw
                  let wt = wv[y * kw + x]
                  for j in 0..<ow { row[j &* sw] += wt * d[j] }
                }
              }
            }
            untile(
              dxTile + ph * tileW + pw, tileW: tileW, rows: ih, width: iw, lanes: lanes,
              into: gradInput + (n * channels + c0) * imagePlane, plane: imagePlane)
          }
        }
        if let gradWeight {
          for t in 0..<taps {
            for k in 0..<lanes { gradWeight[(c0 + k) * taps + t] = sums[t][k] }
          }
        }
      }
    }
  }
}
