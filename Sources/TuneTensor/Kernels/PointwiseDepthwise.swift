import CKernels

/// A 1×1 convolution followed by a depthwise one (MobileNet's expansion and depthwise layers),
/// without the expanded tensor ever reaching memory: for each image, the pointwise outputs of a
/// slice of channels go into a buffer that stays in cache, and the depthwise convolution reads
/// them from there. The expanded tensor is the largest of such a block (6× the block's input),
/// and unfused it is written once and read back once.
extension ConvKernel {
  /// Floats of pointwise output one slice holds at most (256 KiB): a quarter of a Zen 4 core's
  /// L2, so the slice is still there when the depthwise pass reads it.
  nonisolated(unsafe) public static var pointwiseDepthwiseSliceFloats = 1 << 16

  /// `FusedPointwiseDepthwise` runs fused from this many 1×1 outputs per image on (512 KiB),
  /// and as the two convolutions one after the other below. MobileNetV2-96 at batch 32 on a Zen 4,
  /// one thread (fused / unfused): 16→96 on 48x48 (221K floats per image) 0.89–0.96, and 0.76–0.83
  /// while another process loaded the memory bus; 24→144 on 24x24 (83K) 1.05–1.17; the 6x6 and
  /// 3x3 layers, which fit in cache unfused, 1.0–1.1.
  nonisolated(unsafe) public static var pointwiseDepthwiseFromFloats = 1 << 17

  /// Whether the fused kernel is expected to beat the two convolutions for this 1×1 `first`.
  public static func prefersPointwiseDepthwise(_ first: ConvGeometry) -> Bool {
    first.outputChannels * first.window.outputCount >= pointwiseDepthwiseFromFloats
  }

  /// Channels per slice for `channels` pointwise outputs of `plane` positions each: at most
  /// `pointwiseDepthwiseSliceFloats` floats (at least 6 channels), a multiple of 6 (the packed
  /// weights' row block) and of 8 (the blocked depthwise kernel's channel block) where that
  /// fits, the channels split about evenly over the slices.
  static func pointwiseDepthwiseSlice(channels: Int, plane: Int) -> Int {
    let most = max(6, pointwiseDepthwiseSliceFloats / max(plane, 1))
    if channels <= most { return channels }
    let slices = (channels + most - 1) / most
    let even = (channels + slices - 1) / slices
    let by24 = (even + 23) / 24 * 24
    if by24 <= most { return by24 }
    let by6 = (even + 5) / 6 * 6
    return by6 <= most ? by6 : max(6, most / 6 * 6)
  }

  /// `output = act2(depthwise(act1(pointwise(input) + bias1)) + bias2)`: `first` a 1×1
  /// convolution (group 1, unit strides, no padding) of `batch` images, `second` a grouped
  /// convolution of its output with one input channel per group (`second.inputChannels ==
  /// first.outputChannels`). The 1×1 outputs of one image and one slice of channels (of
  /// several images when all channels fit in a slice) go into a buffer that stays in cache, and
  /// the depthwise convolution of that slice reads them there. The depthwise step is `forward`'s
  /// on the slice; the 1×1 step is `pointwise`'s kernel (`forward`'s otherwise), so the result
  /// equals the two `forward` calls' up to the rounding of the 1×1 products where `forward`
  /// would have run the whole layer on BLAS.
  public static func pointwiseDepthwise(
    _ first: ConvGeometry, _ second: ConvGeometry, input: UnsafePointer<Float>,
    weight1: UnsafePointer<Float>, bias1: UnsafePointer<Float>?, activation1: ConvActivation,
    weight2: UnsafePointer<Float>, bias2: UnsafePointer<Float>?, activation2: ConvActivation,
    output: UnsafeMutablePointer<Float>
  ) {
    precondition(
      first.groups == 1 && first.window.isPointwise && second.groupInputChannels == 1
        && second.inputChannels == first.outputChannels && second.batch == first.batch
        && second.window.imageSpatial == first.window.outputSpatial,
      "pointwiseDepthwise: not a 1×1 convolution followed by a depthwise one")
    let batch = first.batch
    let (k, expanded) = (first.inputChannels, first.outputChannels)
    let plane = first.window.outputCount
    let multiplier = second.groupOutputChannels
    let (outPlane, kernelCount) = (second.window.outputCount, second.window.kernelCount)
    if batch == 0 || expanded == 0 || outPlane == 0 { return }
    let slice = pointwiseDepthwiseSlice(channels: expanded, plane: plane)
    let slices = (expanded + slice - 1) / slice
    // When one slice holds every channel, a task takes as many images as fit in it.
    let images = slices == 1 ? max(1, min(batch, pointwiseDepthwiseSliceFloats / max(1, expanded * plane))) : 1
    let groups = (batch + images - 1) / images
    let inImage = k * first.window.imageCount
    let outImage = second.outputChannels * outPlane
    let direct = pointwiseApplies(first)
    let e1 = ConvEpilogue(activation: activation1)
    // The 1×1 weights packed once for every task (six-row blocks: a slice starting at a multiple
    // of 6 rows is a block boundary).
    let packed: UnsafeMutablePointer<Float>? =
      direct ? .allocate(capacity: otk_packed_weights_size(Int32(expanded), Int32(k))) : nil
    defer { packed?.deallocate() }
    if let packed { otk_pack_weights(weight1, Int32(expanded), Int32(k), packed) }
    let scratchSize = direct ? Int(otk_pointwise_scratch_size(Int32(slice), Int32(k))) : 0
    ParallelKernels.runRanges(groups * slices, cost: slice * plane * images * (k + kernelCount)) { range in
      let buffer = UnsafeMutablePointer<Float>.allocate(capacity: slice * plane * images)
      defer { buffer.deallocate() }
      let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)
      defer { scratch.deallocate() }
      for task in range {
        let (group, s) = task.quotientAndRemainder(dividingBy: slices)
        let n0 = group * images
        let count = min(images, batch - n0)
        let c0 = s * slice
        let channels = min(slice, expanded - c0)
        // Inside a task the kernels below run on this thread alone.
        var g1 = first
        (g1.batch, g1.outputChannels) = (count, channels)
        let x = input + n0 * inImage
        let b1 = bias1.map { $0 + c0 }
        if let packed {
          var e = cEpilogue(bias: b1, e1)
          var sub = otk_subsample(out_width: Int32(plane), row_step: plane, column_step: 1, plane: plane)
          otk_pointwise_columns(
            weight1 + c0 * k, packed + c0 * k, Int32(channels), Int32(k), x, inImage, &sub, Int32(plane), 0,
            count * plane, buffer, channels * plane, &e, scratch)
        } else {
          forward(g1, input: x, weight: weight1 + c0 * k, bias: b1, output: buffer, epilogue: e1)
        }
        var g2 = second
        (g2.batch, g2.inputChannels, g2.outputChannels, g2.groups) = (count, channels, channels * multiplier, channels)
        forward(
          g2, input: buffer, weight: weight2 + c0 * multiplier * kernelCount, bias: bias2.map { $0 + c0 * multiplier },
          output: output + n0 * outImage + c0 * multiplier * outPlane, epilogue: ConvEpilogue(activation: activation2))
      }
    }
  }
}
