import CKernels

/// 2-D convolutions on small planes with the images side by side in the columns
/// (`otk_conv_images` in `Sources/CKernels/pointwise.c`): a strip is one output position of 16
/// images, so the window's taps that fall on the zero border are skipped for the whole strip,
/// and its panel rows are read in place from an images-last copy of the input (no gather).
/// ResNet-18 at 64x64 skips 16% of the multiply-adds of its 8x8 layers, 31% of its 4x4 ones
/// and 56% of its 2x2 ones.
extension ConvKernel {
  /// Whether `forward` sends the convolutions `prefersImageColumns` picks to `imageColumns`
  /// (true when this CPU has AVX2 and FMA; a switch for benchmarks and tests).
  nonisolated(unsafe) public static var useImageColumns: Bool = hasPointwiseKernel

  /// Output planes of at most this many positions take `imageColumns` (batches of 16 or more).
  nonisolated(unsafe) public static var imageColumnsMaxPlane = 64

  /// True when `imageColumns` handles `g`: group 1, a 2-D window larger than 1×1 of at most
  /// 64 taps, non-negative pads, sizes within the kernel's 32-bit offsets.
  public static func imageColumnsApplies(_ g: ConvGeometry) -> Bool {
    let w = g.window
    guard hasPointwiseKernel, g.groups == 1, w.rank == 2, g.inputChannels > 0, w.kernelCount > 1,
      w.kernelCount <= 64, w.padsBegin.allSatisfy({ $0 >= 0 }), g.batch > 0
    else { return false }
    // Offsets of up to 64 channels of the images-last copy are 32-bit.
    let padded = (g.batch + 15) / 16 * 16
    return 64 * (w.imageCount * padded + 16) <= Int(Int32.max) && g.inputChannels * w.kernelCount <= Int(Int32.max)
      && g.outputChannels <= Int(Int32.max) && w.outputCount <= Int(Int32.max) && g.batch <= Int(Int32.max)
  }

  /// Images per pass: each pass copies its images' input, `channels·plane·32` floats at most.
  static let imageColumnsChunk = 32

  /// Whether `imageColumns` is expected to beat the windowed kernel: 16 images or more (a
  /// strip's 16 columns filled), output planes of at most `imageColumnsMaxPlane` positions, and
  /// a pass's input copy within `imageColumnsMaxInput` floats, so that it stays in the
  /// second-level cache while every block of weight rows runs over it. ResNet-18 at 64x64, batch
  /// 32, one thread (ours with / without, min of 3 runs each): its 4x4 stride-1 convolutions 0.77,
  /// the 2x2 ones 0.51–0.56, 4x4 → 2x2 0.83; with 1 MiB copies (8x8 inputs of 128 channels) 1.23–1.34,
  /// and still 1.03–1.06 in passes of 16 images (512 KiB).
  public static func prefersImageColumns(_ g: ConvGeometry) -> Bool {
    useImageColumns && g.batch >= 16 && g.window.outputCount <= imageColumnsMaxPlane
      && g.inputChannels * g.window.imageCount <= imageColumnsMaxInput / imageColumnsChunk && imageColumnsApplies(g)
  }

  /// The largest input copy (floats) of one pass `prefersImageColumns` accepts (640 KiB).
  nonisolated(unsafe) public static var imageColumnsMaxInput = 160 << 10

  /// `output = act(conv(input, W) + bias + sum)`; `g` must satisfy `imageColumnsApplies`. Each
  /// output is one sum over the window's taps inside the image (tap-major, channels in order)
  /// in single precision with FMA, bias and sum added after it, in that order.
  public static func imageColumns(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none
  ) {
    let w = g.window
    let (m, c, p) = (g.outputChannels, g.inputChannels, w.outputCount)
    if m == 0 || p == 0 { return }
    let chunk = min(g.batch, imageColumnsChunk)
    let layout = UnsafeMutablePointer<Float>.allocate(
      capacity: Int(otk_images_layout_size(Int32(chunk), Int32(c), w.imageCount)))
    defer { layout.deallocate() }
    let window = otk_window(
      in_h: Int32(w.imageSpatial[0]), in_w: Int32(w.imageSpatial[1]), out_w: Int32(w.outputSpatial[1]),
      kernel_h: Int32(w.kernel[0]), kernel_w: Int32(w.kernel[1]), stride_h: Int32(w.strides[0]),
      stride_w: Int32(w.strides[1]), dilation_h: Int32(w.dilations[0]), dilation_w: Int32(w.dilations[1]),
      pad_h: Int32(w.padsBegin[0]), pad_w: Int32(w.padsBegin[1]))
    let shared = UncheckedSendable(UnsafePointer(layout))
    for first in stride(from: 0, to: g.batch, by: chunk) {
      let images = min(chunk, g.batch - first)
      let x = input + first * c * w.imageCount
      ParallelKernels.runRanges(c, cost: w.imageCount * images) { range in
        otk_images_layout(x, Int32(images), Int32(c), w.imageCount, Int32(range.lowerBound), Int32(range.upperBound), layout)
      }
      var e = cEpilogue(bias: bias, epilogue)
      e.sum = e.sum.map { $0 + first * m * p }
      let (y, ep) = (output + first * m * p, e)
      ParallelKernels.runRanges(p, cost: images * m * c * w.kernelCount) { range in
        let scratchSize = Int(otk_conv_images_scratch_size(range.count, Int32(images)))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        var (e, window) = (ep, window)
        otk_conv_images(
          weight, Int32(m), Int32(c), shared.value, Int32(images), &window, Int32(p), range.lowerBound, range.upperBound,
          y, m * p, &e, scratch)
      }
    }
  }
}
