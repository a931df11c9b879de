import Testing
@testable import TuneTensor

/// `ConvKernel.pointwiseDepthwise` against the two convolutions it fuses, run one after the
/// other by `forward`.
@Suite struct PointwiseDepthwiseKernelTests {
  struct Case: Sendable, CustomStringConvertible {
    var batch, c, expanded, multiplier: Int
    var image, kernel, strides, pads: [Int]
    /// `pointwiseDepthwiseSliceFloats` for the run: small values make several slices per image.
    var sliceFloats: Int
    var description: String {
      "n\(batch) c\(c) e\(expanded)×\(multiplier) \(image) k\(kernel) s\(strides) p\(pads) slice \(sliceFloats)"
    }
  }

  @Test(
    arguments: [
      // One slice per image, several images per task (the 6x6 planes of MobileNetV2).
      Case(batch: 5, c: 16, expanded: 40, multiplier: 1, image: [6, 6], kernel: [3, 3], strides: [1, 1], pads: [1, 1], sliceFloats: 4096),
      // Slices of 24 channels with a short last one (45 = 24 + 21), stride 2 (48x48-like rows).
      Case(batch: 2, c: 8, expanded: 45, multiplier: 1, image: [20, 34], kernel: [3, 3], strides: [2, 2], pads: [1, 1], sliceFloats: 24 * 680),
      // Slices of 6 channels (below 24 fits), a channel multiplier of 2, no padding.
      Case(batch: 3, c: 5, expanded: 14, multiplier: 2, image: [9, 11], kernel: [3, 3], strides: [1, 1], pads: [0, 0], sliceFloats: 700),
      // A 5x5 window, K past one 256-row slice of the 1×1 kernel, one image.
      Case(batch: 1, c: 300, expanded: 30, multiplier: 1, image: [12, 16], kernel: [5, 5], strides: [1, 1], pads: [2, 2], sliceFloats: 1 << 16),
      // 1-D.
      Case(batch: 4, c: 3, expanded: 12, multiplier: 1, image: [40], kernel: [3], strides: [2], pads: [1], sliceFloats: 200),
    ])
  func matchesTheTwoConvolutions(_ c: Case) {
    let rank = c.image.count
    let ones = [Int](repeating: 1, count: rank)
    let first = ConvGeometry(
      batch: c.batch, inputChannels: c.c, outputChannels: c.expanded, groups: 1,
      window: WindowGeometry(
        imageSpatial: c.image, outputSpatial: c.image, kernel: ones, strides: ones, dilations: ones,
        padsBegin: [Int](repeating: 0, count: rank)))
    var out: [Int] = []
    for d in 0..<rank {
      let padded: Int = c.image[d] + 2 * c.pads[d]
      out.append((padded - c.kernel[d]) / c.strides[d] + 1)
    }
    let second = ConvGeometry(
      batch: c.batch, inputChannels: c.expanded, outputChannels: c.expanded * c.multiplier, groups: c.expanded,
      window: WindowGeometry(
        imageSpatial: c.image, outputSpatial: out, kernel: c.kernel, strides: c.strides, dilations: ones,
        padsBegin: c.pads))
    let x = randomFloats(c.batch * c.c * first.window.imageCount, seed: 61)
    let w1 = randomFloats(c.expanded * c.c, seed: 62)
    let b1 = randomFloats(c.expanded, seed: 63)
    let w2 = randomFloats(second.outputChannels * second.window.kernelCount, seed: 64)
    let b2 = randomFloats(second.outputChannels, seed: 65)
    let count = c.batch * second.outputChannels * second.window.outputCount
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    let saved = ConvKernel.pointwiseDepthwiseSliceFloats
    defer { ConvKernel.pointwiseDepthwiseSliceFloats = saved }
    ConvKernel.pointwiseDepthwiseSliceFloats = c.sliceFloats
    for (act1, act2) in [(ConvActivation.clip(0, 0.5), ConvActivation.clip(0, 0.5)), (.identity, .relu), (.leakyRelu(0.2), .identity)] {
      for withBias in [true, false] {
        var expanded = [Float](repeating: .nan, count: c.batch * c.expanded * first.window.outputCount)
        var expected = [Float](repeating: .nan, count: count)
        var fused = [Float](repeating: .nan, count: count)
        b1.withUnsafeBufferPointer { b1p in
          b2.withUnsafeBufferPointer { b2p in
            let (bias1, bias2) = withBias ? (b1p.baseAddress, b2p.baseAddress) : (nil, nil)
            ConvKernel.forward(first, input: x, weight: w1, bias: bias1, output: &expanded, epilogue: ConvEpilogue(activation: act1))
            ConvKernel.forward(second, input: expanded, weight: w2, bias: bias2, output: &expected, epilogue: ConvEpilogue(activation: act2))
            ConvKernel.pointwiseDepthwise(
              first, second, input: x, weight1: w1, bias1: bias1, activation1: act1, weight2: w2, bias2: bias2,
              activation2: act2, output: &fused)
          }
        }
        // Sums of up to 300 products in another order (FMA or not, BLAS or ours): 1e-5 absolute
        // + relative.
        let worst = zip(fused, expected).map { abs($0 - $1) - 1e-5 * abs($1) }.max() ?? 0
        #expect(worst <= 1e-5, "\(c) \(act1) \(act2) bias \(withBias)")
        #expect(!fused.contains { $0.isNaN }, "\(c): output not written")
      }
    }
  }

  @Test func slicesAreWholeSixRowBlocksAndFitTheBudget() {
    let saved = ConvKernel.pointwiseDepthwiseSliceFloats
    defer { ConvKernel.pointwiseDepthwiseSliceFloats = saved }
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    ConvKernel.pointwiseDepthwiseSliceFloats = 1 << 16
    // MobileNetV2-96: 96 channels of 48x48 → 4 slices of 24; 144 of 24x24 → 2 of 72; 6x6 → all.
    #expect(ConvKernel.pointwiseDepthwiseSlice(channels: 96, plane: 2304) == 24)
    #expect(ConvKernel.pointwiseDepthwiseSlice(channels: 144, plane: 576) == 72)
    #expect(ConvKernel.pointwiseDepthwiseSlice(channels: 384, plane: 36) == 384)
    for channels in [7, 50, 97, 600, 1280] {
      for plane in [9, 100, 2304, 12544, 200_000] {
        let s = ConvKernel.pointwiseDepthwiseSlice(channels: channels, plane: plane)
        #expect(s == channels || s % 6 == 0, "\(channels) × \(plane): \(s)")
        #expect(s >= 1 && s <= channels)
        #expect(s * plane <= max(1 << 16, 6 * plane), "\(channels) × \(plane): \(s)")
      }
    }
  }
}
