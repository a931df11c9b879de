import CKernels

/// Depthwise 3×3 convolutions (strides 1 and 2) on the AVX2 kernel of
/// `Sources/CKernels/depthwise.c`: one pass per plane, eight outputs per vector, the bias, sum
/// and activation applied as each row is stored. Its sums use FMA, so they can differ from
/// `depthwise`'s (and `depthwise3x3Blocked`'s) by rounding.
extension ConvKernel {
  /// Whether `forward` sends the depthwise convolutions `prefersDirectDepthwise` picks to
  /// `depthwise3x3Direct` (true when this CPU has AVX2 and FMA; a switch for benchmarks and
  /// tests).
  nonisolated(unsafe) public static var useDirectDepthwise: Bool = hasPointwiseKernel

  /// Stride-2 convolutions take the direct kernel from this output width on; narrower rows
  /// (MobileNetV2's 6×6 and 3×3 planes) stay on the eight-channel blocked kernel, which fills
  /// its vectors there.
  nonisolated(unsafe) public static var directDepthwiseFromWidth = 8

  /// Stride-1 convolutions take the direct kernel from this output width on. Below it the
  /// plane kernel's flat loop over whole bordered rows was faster (MobileNetV2-96, batch 32,
  /// one thread: 12x12 planes 0.62 vs 0.80 ms, 24x24 even; the direct kernel won on 48x48,
  /// 1.11 vs 1.25 ms, and at stride 2: 2.35 → 1.9 ms on 48x48, 1.10 → 0.90 ms on 24x24).
  nonisolated(unsafe) public static var directDepthwiseStride1FromWidth = 32

  /// True when `depthwise3x3Direct` handles `g`: 2-D, 3×3, undilated, strides 1 or 2, pads ≥ 0,
  /// one input channel per group, sizes within 32-bit ints.
  public static func directDepthwiseApplies(_ g: ConvGeometry) -> Bool {
    let w = g.window
    guard hasPointwiseKernel, w.rank == 2, g.groupInputChannels == 1, g.groups == g.inputChannels,
      w.kernel == [3, 3], w.dilations == [1, 1], w.strides.allSatisfy({ $0 == 1 || $0 == 2 }),
      w.padsBegin.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }),
      (w.imageSpatial + w.outputSpatial).allSatisfy({ $0 <= 1 << 20 }), g.outputChannels <= Int(Int32.max)
    else { return false }
    return true
  }

  /// Whether `forward` sends `g` to `depthwise3x3Direct` (see the widths above).
  public static func prefersDirectDepthwise(_ g: ConvGeometry) -> Bool {
    let w = g.window
    guard useDirectDepthwise && directDepthwiseApplies(g) else { return false }
    let from = w.strides[1] == 2 ? directDepthwiseFromWidth : directDepthwiseStride1FromWidth
    return w.outputSpatial[1] >= from
  }

  /// `output = act(depthwise3x3(input) + bias + sum)`; `g` must satisfy `directDepthwiseApplies`.
  public static func depthwise3x3Direct(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue
  ) {
    let w = g.window
    let window = otk_depthwise_window(
      in_h: Int32(w.imageSpatial[0]), in_w: Int32(w.imageSpatial[1]), out_h: Int32(w.outputSpatial[0]),
      out_w: Int32(w.outputSpatial[1]), stride_h: Int32(w.strides[0]), stride_w: Int32(w.strides[1]),
      pad_h: Int32(w.padsBegin[0]), pad_w: Int32(w.padsBegin[1]), channels: Int32(g.outputChannels),
      multiplier: Int32(g.groupOutputChannels))
    let e = cEpilogue(bias: bias, epilogue)
    let scratchSize = withUnsafePointer(to: window) { otk_depthwise3x3_scratch_size($0) }
    let planes = g.batch * g.outputChannels
    ParallelKernels.runRanges(planes, cost: w.outputCount * 9) { range in
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
      defer { scratch.deallocate() }
      var (window, e) = (window, e)
      otk_depthwise3x3(input, &window, weight, &e, range.lowerBound, range.upperBound, output, scratch)
    }
  }
}
