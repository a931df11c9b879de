import CKernels

/// 2-D convolutions (group 1, kernels larger than 1×1, strides 1 or 2) on the AVX2/FMA kernel of
/// `Sources/CKernels/pointwise.c` that gathers each strip of 16 output positions straight from
/// the NCHW images into a cache-sized panel: no column matrix for the whole batch (im2col was
/// 15% of ResNet-18's inference time, writing and re-reading ~150 MB per batch of 32), no
/// zeroing pass, no packing copy, the bias, residual sum and activation applied in the store.
extension ConvKernel {
  /// Whether `forward` sends convolutions `windowedApplies` accepts to `windowed` (true when
  /// this CPU has AVX2 and FMA; a switch for benchmarks and tests).
  nonisolated(unsafe) public static var useWindowedKernel: Bool = hasPointwiseKernel

  /// Whether the windowed kernel is expected to beat im2col + sgemm: wherever it applies
  /// (ResNet-18 at 64x64, batch 32: its 3x3 stride-1 convolutions ran 0.95–1.04 of sgemm's
  /// time on the same GEMM shape, against 0.80–0.93 through im2col + sgemm).
  /// Other column strides gather one float at a time.
  public static func prefersWindowedKernel(_ g: ConvGeometry) -> Bool {
    useWindowedKernel && windowedApplies(g) && g.window.strides[1] <= 2
  }

  /// True when `windowed` handles `g`: group 1, a 2-D window larger than 1×1, non-negative
  /// pads, sizes within 32-bit ints.
  public static func windowedApplies(_ g: ConvGeometry) -> Bool {
    let w = g.window
    guard hasPointwiseKernel, g.groups == 1, w.rank == 2, g.inputChannels > 0, w.kernelCount > 1,
      w.padsBegin.allSatisfy({ $0 >= 0 }),
      g.inputChannels * w.kernelCount <= Int(Int32.max), g.outputChannels <= Int(Int32.max),
      w.outputCount <= Int(Int32.max), w.imageCount <= Int(Int32.max)
    else { return false }
    return true
  }

  /// `output = act(conv(input, W) + bias + sum)`; `g` must satisfy `windowedApplies`. Each
  /// output is one K-long sum (channel-major, then kernel rows and columns) in single precision
  /// with FMA, bias and sum added after it, in that order.
  public static func windowed(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none
  ) {
    let w = g.window
    let (m, c, p) = (g.outputChannels, g.inputChannels, w.outputCount)
    let k = c * w.kernelCount
    let columns = g.batch * p
    if columns == 0 || m == 0 { return }
    let e = cEpilogue(bias: bias, epilogue)
    let window = otk_window(
      in_h: Int32(w.imageSpatial[0]), in_w: Int32(w.imageSpatial[1]), out_w: Int32(w.outputSpatial[1]),
      kernel_h: Int32(w.kernel[0]), kernel_w: Int32(w.kernel[1]), stride_h: Int32(w.strides[0]),
      stride_w: Int32(w.strides[1]), dilation_h: Int32(w.dilations[0]), dilation_w: Int32(w.dilations[1]),
      pad_h: Int32(w.padsBegin[0]), pad_w: Int32(w.padsBegin[1]))
    if let padded = paddedRowsGeometry(g) {
      windowedRows(g, padded: padded, input: input, weight: weight, e: e, output: output)
      return
    }
    let scratchSize = Int(otk_conv_scratch_size(Int32(m), Int32(k), Int32(w.kernelCount)))
    overStrips(columns: columns, weight: weight, m: m, k: k, scratchSize: scratchSize) { packed, scratch, col0, col1 in
      var (e, window) = (e, window)
      otk_conv_columns(
        weight, packed, Int32(m), Int32(c), input, c * w.imageCount, &window, Int32(p), col0, col1, output, m * p, &e,
        scratch)
    }
  }

  /// Whether `windowed` reads output rows that are whole strips straight from a zero-bordered
  /// copy of each image (`otk_conv_padded_rows`) instead of gathering each strip's panel (a
  /// switch for benchmarks and tests).
  nonisolated(unsafe) public static var useDirectRows = true

  /// The zero-bordered image's plane (rows, columns) for the direct path: strides 1 or 2 on
  /// both axes, output rows a multiple of 16 wide, the bordered image of all channels within 16M
  /// floats. At stride 2 the plane is one of four phases (the bordered image's even and odd
  /// rows and columns apart), half the bordered size on each axis, so that a strip's 16 outputs
  /// read 16 consecutive floats of each tap's phase plane. Batch 32, one thread, Zen 4 (direct /
  /// gathered): ResNet-18's 7x7 stem 6.2 / 7.7 ms; its first 3x3 stride-2 layer and
  /// MobileNetV2's 3x3 stem (K = 27) even.
  static func paddedRowsGeometry(_ g: ConvGeometry) -> (height: Int, width: Int)? {
    let w = g.window
    guard useDirectRows, w.rank == 2, w.strides == [1, 1] || w.strides == [2, 2], w.outputSpatial[1] % 16 == 0 else {
      return nil
    }
    let s = w.strides[0]
    var height = max(w.padsBegin[0] + w.imageSpatial[0], (w.outputSpatial[0] - 1) * s + (w.kernel[0] - 1) * w.dilations[0] + 1)
    var width = max(w.padsBegin[1] + w.imageSpatial[1], (w.outputSpatial[1] - 1) * s + (w.kernel[1] - 1) * w.dilations[1] + 1)
    if s == 2 { (height, width) = ((height + 1) / 2, (width + 1) / 2) }
    guard g.inputChannels * s * s * height * width <= 1 << 24 else { return nil }
    return (height, width)
  }

  /// `windowed` on the direct path: images (or, for fewer images than workers, parts of an
  /// image's rows) spread over the workers, each building the bordered copy of its image once.
  static func windowedRows(
    _ g: ConvGeometry, padded: (height: Int, width: Int), input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    e: otk_epilogue, output: UnsafeMutablePointer<Float>
  ) {
    let w = g.window
    let (m, c, p) = (g.outputChannels, g.inputChannels, w.outputCount)
    let k = c * w.kernelCount
    let (ih, iw) = (w.imageSpatial[0], w.imageSpatial[1])
    let (ph, pw) = (w.padsBegin[0], w.padsBegin[1])
    let ow = w.outputSpatial[1]
    let perImage = w.outputSpatial[0] * (ow / 16)
    let parts = g.batch >= ParallelKernels.threads ? 1 : min(perImage, (ParallelKernels.threads + g.batch - 1) / g.batch)
    let stride = w.strides[0]
    let plane = padded.height * padded.width
    let channelFloats = stride * stride * plane
    let rows = min(ih, stride * padded.height - ph)
    let cols = min(iw, stride * padded.width - pw)
    let scratchSize = otk_padded_rows_scratch_size(Int32(m), Int32(k))
    withPackedWeights(weight, m: m, k: k, strips: g.batch * perImage) { packed in
      let shared = UncheckedSendable(packed)
      ParallelKernels.runRanges(g.batch * parts, cost: perImage / parts * 16 * m * k) { items in
        let bordered = UnsafeMutablePointer<Float>.allocate(capacity: c * channelFloats)
        defer { bordered.deallocate() }
        bordered.initialize(repeating: 0, count: c * channelFloats)
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        var built = -1
        for item in items {
          let (n, part) = item.quotientAndRemainder(dividingBy: parts)
          if n != built {
            // The image inside its border (the border stays zero).
            let image = input + n * c * w.imageCount
            for ch in 0..<c {
              for r in 0..<rows {
                let source = image + ch * w.imageCount + r * iw
                if stride == 1 {
                  copyFloats(from: source, to: bordered + ch * plane + (r + ph) * padded.width + pw, count: cols)
                  continue
                }
                // Bordered row r + ph, column j + pw: its even and odd columns into phases
                // (a, 0) and (a, 1), at half their index.
                let (row, a) = ((r + ph) >> 1, (r + ph) & 1)
                let phases = (
                  bordered + (ch * 4 + a * 2) * plane + row * padded.width,
                  bordered + (ch * 4 + a * 2 + 1) * plane + row * padded.width
                )
                splitEvenOdd(source, cols, offset: pw, phases.0, phases.1)
              }
            }
            built = n
          }
          var ei = e
          ei.sum = e.sum.map { $0 + n * m * p }
          withUnsafePointer(to: ei) { ep in
            otk_conv_padded_rows(
              weight, shared.value, Int32(m), Int32(c), bordered, Int32(padded.height), Int32(padded.width),
              Int32(stride), Int32(w.kernel[0]), Int32(w.kernel[1]), Int32(w.dilations[0]), Int32(w.dilations[1]), Int32(ow), Int32(p),
              perImage * part / parts, perImage * (part + 1) / parts, output + n * m * p, ep, scratch)
          }
        }
      }
    }
  }

  /// Element j of `source` (`count` floats) into `even[(j + offset) / 2]` when j + offset is
  /// even, `odd[(j + offset) / 2]` otherwise: a bordered row's two phases at stride 2.
  @inline(__always)
  static func splitEvenOdd(
    _ source: UnsafePointer<Float>, _ count: Int, offset: Int, _ even: UnsafeMutablePointer<Float>,
    _ odd: UnsafeMutablePointer<Float>
  ) {
    // Elements j0 + 2i and j0 + 2i + 1 of a 16-float block (j0 even) go to consecutive columns
    // of one phase each.
    let (first, second) = offset & 1 == 0 ? (even, odd) : (odd, even)
    var j = 0
    while j + 16 <= count {
      let v = UnsafeRawPointer(source + j).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(first + ((j + offset) >> 1)).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(second + ((j + offset + 1) >> 1)).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
      j += 16
    }
    while j < count {
      ((j + offset) & 1 == 0 ? even : odd)[(j + offset) >> 1] = source[j]
      j += 1
    }
  }

  /// From this many strips of 16 columns on, the C kernels read the weights from a packed copy
  /// (blocks of six rows, one stream per block) made once per call instead of in place (six
  /// streams K floats apart). Packing reads and writes the weights once more, which costs more
  /// than it saves on few strips (ResNet-18's last layers: 8 strips, 9.4 MB of weights).
  nonisolated(unsafe) public static var packWeightsFromStrips = 64

  /// Calls `body` with `otk_pack_weights(weight)` when `strips` is large enough, else nil.
  static func withPackedWeights<R>(
    _ weight: UnsafePointer<Float>, m: Int, k: Int, strips: Int, _ body: (UnsafePointer<Float>?) -> R
  ) -> R {
    guard strips >= packWeightsFromStrips, m > 0, k > 0 else { return body(nil) }
    let packed = UnsafeMutablePointer<Float>.allocate(capacity: otk_packed_weights_size(Int32(m), Int32(k)))
    defer { packed.deallocate() }
    otk_pack_weights(weight, Int32(m), Int32(k), packed)
    return body(packed)
  }

  /// Runs `body(packed, scratch, col0, col1)` over `columns` output columns in strips of 16, one
  /// contiguous range per worker, each with `scratchSize` floats of scratch of its own; `packed`
  /// is the weights packed once for all the workers (`withPackedWeights`) or nil.
  static func overStrips(
    columns: Int, weight: UnsafePointer<Float>, m: Int, k: Int, scratchSize: Int,
    _ body: (UnsafePointer<Float>?, UnsafeMutablePointer<Float>, Int, Int) -> Void
  ) {
    let strips = (columns + 15) / 16
    withPackedWeights(weight, m: m, k: k, strips: strips) { packed in
      ParallelKernels.runRanges(strips, cost: 16 * m * k) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        body(packed, scratch, range.lowerBound * 16, min(range.upperBound * 16, columns))
      }
    }
  }

  /// The C kernels' form of a bias and epilogue.
  static func cEpilogue(bias: UnsafePointer<Float>?, _ epilogue: ConvEpilogue) -> otk_epilogue {
    var e = otk_epilogue(bias: bias, sum: epilogue.sum, activation: 0, p0: 0, p1: 0)
    switch epilogue.activation {
    case .identity: break
    case .relu: e.activation = 1
    case .clip(let lo, let hi): (e.activation, e.p0, e.p1) = (2, lo, hi)
    case .leakyRelu(let alpha): (e.activation, e.p0) = (3, alpha)
    }
    return e
  }
}
