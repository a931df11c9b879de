import CKernels

/// 1×1 convolutions (group 1, no padding, any stride) on the AVX2/FMA kernel of
/// `Sources/CKernels/pointwise.c`: no column matrix, no zeroing pass, the bias, residual sum and
/// activation applied in the store. On CPUs without AVX2/FMA `forward` keeps the GEMM path.
extension ConvKernel {
  /// Whether `forward` sends 1×1 convolutions to `pointwise` (true when this CPU has AVX2 and
  /// FMA; a switch for benchmarks and tests).
  nonisolated(unsafe) public static var usePointwiseKernel: Bool = hasPointwiseKernel
  /// True when this CPU runs the pointwise kernel.
  public static let hasPointwiseKernel: Bool = otk_has_avx2_fma() != 0

  /// Whether the pointwise kernel is expected to beat im2col + sgemm: always on CPUs without
  /// AVX-512; with AVX-512, on planes under 1,024 positions, and on larger ones when M ≤ K (the
  /// input rows read in place). MobileNetV2-96 at batch 32 on an AVX-512 Zen 4: 24x24 and
  /// smaller ran 0–45% faster per layer; on its 48x48 planes OpenBLAS was 7–13% faster for
  /// 16→96 (3.6 against 4.3 ms), ours 20% faster for 32→16 (1.2 against 1.45 ms). On an
  /// AVX2-only Zen (2026-12-05) ours was also 25% faster on 16→96 (13.6 → 10.1 ms): OpenBLAS
  /// writes C, then the bias and Clip pass reads and writes it again, 28 MB each time.
  /// Large-plane expansions with K ≥ `pointwiseKernelFromK` take ours too: the batch-folded
  /// (`BatchFolding`) 6x6 and 3x3 expansions of MobileNetV2 (K 64–160, 1,152 or 288 folded
  /// positions) ran within 3% of OpenBLAS + the epilogue pass at one thread and 8–19% faster at
  /// two (best of 4 processes: 96→576 on 6x6 0.65 against 0.80 ms).
  public static func prefersPointwiseKernel(_ g: ConvGeometry) -> Bool {
    usePointwiseKernel && pointwiseApplies(g)
      && (g.window.outputCount < pointwisePlaneLimit || g.outputChannels <= g.inputChannels
        || g.inputChannels >= pointwiseKernelFromK)
  }

  /// `prefersPointwiseKernel` takes large-plane expansions from this K on.
  nonisolated(unsafe) public static var pointwiseKernelFromK = 32

  /// `prefersPointwiseKernel` takes planes of fewer output positions than this.
  nonisolated(unsafe) public static var pointwisePlaneLimit = otk_has_avx512f() != 0 ? 1024 : Int.max

  /// True when `pointwise` handles `g`: group 1, a 1×1 kernel, no padding, and either no
  /// striding or a 1-D/2-D window whose every output reads inside the image.
  public static func pointwiseApplies(_ g: ConvGeometry) -> Bool {
    let w = g.window
    guard hasPointwiseKernel, g.groups == 1, g.inputChannels > 0, w.kernel.allSatisfy({ $0 == 1 }),
      w.padsBegin.allSatisfy({ $0 == 0 }), g.inputChannels <= Int(Int32.max), g.outputChannels <= Int(Int32.max),
      w.outputCount <= Int(Int32.max)
    else { return false }
    if w.isPointwise { return true }
    guard w.rank <= 2 else { return false }
    return (0..<w.rank).allSatisfy { d in (w.outputSpatial[d] - 1) * w.strides[d] < w.imageSpatial[d] }
  }

  /// `output = act(W · input + bias + sum)` for a 1×1 convolution; `g` must satisfy
  /// `pointwiseApplies`. Each output is one K-long sum in single precision with FMA, bias and
  /// sum added after it, in that order.
  public static func pointwise(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue = .none
  ) {
    let (m, k, p) = (g.outputChannels, g.inputChannels, g.window.outputCount)
    let columns = g.batch * p
    if columns == 0 || m == 0 { return }
    let e = cEpilogue(bias: bias, epilogue)
    let w = g.window
    var sub = otk_subsample(out_width: Int32(p), row_step: p, column_step: 1, plane: w.imageCount)
    if !w.isPointwise {
      let ow = w.outputSpatial[w.rank - 1]
      let two = w.rank == 2
      sub = otk_subsample(
        out_width: Int32(ow), row_step: two ? w.strides[0] * w.imageSpatial[1] : 0, column_step: w.strides[w.rank - 1],
        plane: w.imageCount)
    }
    let scratchSize = Int(otk_pointwise_scratch_size(Int32(m), Int32(k)))
    overStrips(columns: columns, weight: weight, m: m, k: k, scratchSize: scratchSize) { packed, scratch, col0, col1 in
      var (e, sub) = (e, sub)
      otk_pointwise_columns(
        weight, packed, Int32(m), Int32(k), input, k * w.imageCount, &sub, Int32(p), col0, col1, output, m * p, &e,
        scratch)
    }
  }
}
