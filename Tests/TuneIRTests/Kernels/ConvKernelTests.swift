import Foundation
import Testing
import TuneTensor

/// Held by the tests that switch `ParallelKernels`' process-wide mode.
let kernelModeLock = NSLock()

/// The im2col/GEMM, depthwise and transposed convolution kernels against their naive twins on
/// random shapes (tolerance 1e-4 absolute + relative).
@Suite struct ConvKernelTests {
  struct Case: Sendable, CustomStringConvertible {
    var batch, c, m, groups: Int
    var image, kernel, strides, dilations, pads: [Int]
    var description: String {
      let head = "n\(batch) c\(c) m\(m) g\(groups)"
      let window: String = "\(image) k\(kernel) s\(strides) d\(dilations) p\(pads)"
      return head + " " + window
    }
    var geometry: ConvGeometry {
      var out: [Int] = []
      for i in 0..<image.count {
        let effective: Int = (kernel[i] - 1) * dilations[i] + 1
        let padded: Int = image[i] + 2 * pads[i]
        out.append((padded - effective) / strides[i] + 1)
      }
      return ConvGeometry(
        batch: batch, inputChannels: c, outputChannels: m, groups: groups,
        window: WindowGeometry(
          imageSpatial: image, outputSpatial: out, kernel: kernel, strides: strides, dilations: dilations,
          padsBegin: pads))
    }
  }

  static let cases: [Case] = [
    Case(batch: 2, c: 3, m: 4, groups: 1, image: [7, 6], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 3, c: 4, m: 6, groups: 2, image: [9, 8], kernel: [3, 2], strides: [2, 3], dilations: [1, 2], pads: [2, 0]),
    Case(batch: 2, c: 6, m: 6, groups: 6, image: [8, 7], kernel: [3, 3], strides: [2, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 2, c: 3, m: 6, groups: 3, image: [5, 9], kernel: [5, 3], strides: [1, 2], dilations: [2, 1], pads: [3, 2]),
    Case(batch: 40, c: 5, m: 7, groups: 1, image: [4, 4], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
    Case(batch: 40, c: 5, m: 7, groups: 1, image: [4, 4], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 2, c: 4, m: 3, groups: 1, image: [11], kernel: [3], strides: [2], dilations: [2], pads: [1]),
    Case(batch: 2, c: 4, m: 4, groups: 4, image: [11], kernel: [3], strides: [1], dilations: [1], pads: [2]),
    Case(batch: 1, c: 2, m: 3, groups: 1, image: [4, 5, 3], kernel: [2, 3, 2], strides: [1, 2, 1], dilations: [1, 1, 2], pads: [1, 1, 1]),
    // im2col without padding (read straight from the image), strided and dilated.
    Case(batch: 3, c: 3, m: 5, groups: 1, image: [9, 10], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0]),
    Case(batch: 2, c: 2, m: 3, groups: 1, image: [9, 9], kernel: [2, 3], strides: [1, 1], dilations: [2, 2], pads: [0, 0]),
    // Pads wider than the kernel's reach; 1x1 on a large image (the image is the column matrix).
    Case(batch: 2, c: 2, m: 3, groups: 1, image: [3, 4], kernel: [2, 2], strides: [1, 2], dilations: [1, 1], pads: [3, 2]),
    Case(batch: 5, c: 6, m: 4, groups: 2, image: [17, 16], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
    // Depthwise 3x3 at stride 2 (deinterleaved columns), even and odd padded widths.
    Case(batch: 2, c: 4, m: 8, groups: 4, image: [9, 10], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 3, c: 3, m: 3, groups: 3, image: [8, 7], kernel: [3, 3], strides: [1, 2], dilations: [1, 1], pads: [0, 1]),
    // Depthwise 3x3 at stride 1 on small planes (one flat loop over padded rows).
    Case(batch: 2, c: 5, m: 10, groups: 5, image: [6, 7], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 1, c: 3, m: 3, groups: 3, image: [5, 4], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
    // Depthwise 3x3 eight channels at a time (stride 2, or narrow planes): channel counts that
    // are not a multiple of eight, planes whose size is and is not, pads beyond the windows'
    // reach, mixed strides.
    Case(batch: 2, c: 13, m: 13, groups: 13, image: [9, 10], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 3, c: 16, m: 16, groups: 16, image: [5, 6], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 2, c: 9, m: 9, groups: 9, image: [7, 5], kernel: [3, 3], strides: [2, 1], dilations: [1, 1], pads: [0, 0]),
    Case(batch: 1, c: 8, m: 8, groups: 8, image: [4, 4], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [2, 2]),
    Case(batch: 4, c: 24, m: 24, groups: 24, image: [3, 3], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 2, c: 8, m: 8, groups: 8, image: [16, 16], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    // 1x1 on the pointwise kernel: channel counts off its 6-row blocks, planes that make
    // 16-column strips cross images, a 1x1 image.
    Case(batch: 3, c: 37, m: 13, groups: 1, image: [5, 7], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
    Case(batch: 5, c: 3, m: 20, groups: 1, image: [1, 1], kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
    // Strided 1x1 (ResNet's downsample) on the pointwise kernel, 2-D and 1-D.
    Case(batch: 3, c: 5, m: 7, groups: 1, image: [9, 8], kernel: [1, 1], strides: [2, 2], dilations: [1, 1], pads: [0, 0]),
    Case(batch: 2, c: 4, m: 9, groups: 1, image: [11], kernel: [1], strides: [3], dilations: [1], pads: [0]),
    // Depthwise 3x3 on the direct AVX2 kernel: stride 1 from 32 columns on, stride 2 with a
    // channel multiplier of 2, odd widths (a partial last vector).
    Case(batch: 2, c: 4, m: 4, groups: 4, image: [9, 35], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
    Case(batch: 2, c: 3, m: 6, groups: 3, image: [11, 37], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    // Long rows (memmove/memset path of the padded im2col), a 7x7 stem.
    Case(batch: 2, c: 3, m: 4, groups: 1, image: [70, 70], kernel: [7, 7], strides: [2, 2], dilations: [1, 1], pads: [3, 3]),
  ]

  static let activations: [ConvActivation] = [.identity, .relu, .clip(-0.3, 0.4), .leakyRelu(0.2)]

  static func reference(_ a: ConvActivation, _ v: Float) -> Float {
    switch a {
    case .identity: return v
    case .relu: return max(v, 0)
    case .clip(let lo, let hi): return min(max(v, lo), hi)
    case .leakyRelu(let alpha): return v >= 0 ? v : alpha * v
    }
  }

  /// Bias, residual sum and activation fused into the kernel equal conv, then add, then the
  /// activation, exactly (same operations in the same order); on one worker and with the batch
  /// split over workers that each run a single-threaded GEMM.
  @Test(arguments: cases.filter { $0.image.count <= 2 })
  func epilogueEqualsSeparateSteps(_ c: Case) {
    let g = c.geometry
    let x = randomFloats(g.batch * g.inputChannels * g.window.imageCount, seed: 11)
    let w = randomFloats(g.outputChannels * g.groupReduction, seed: 12)
    let b = randomFloats(g.outputChannels, seed: 13)
    let count = g.batch * g.outputChannels * g.window.outputCount
    let z = randomFloats(count, seed: 14)
    // (No other test may switch the kernels' mode between the two runs compared.)
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    for split in [false, true] {
      let saved = (ParallelKernels.splitsGemm, ParallelKernels.threads)
      ParallelKernels.splitsGemm = split
      ParallelKernels.threads = split ? 2 : saved.1
      defer { (ParallelKernels.splitsGemm, ParallelKernels.threads) = saved }
      // (Split, each GEMM is narrower, and BLAS may round its edge blocks differently: the
      // reference is the plain convolution in the same mode, checked against the naive one.)
      var plain = [Float](repeating: .nan, count: count)
      ConvKernel.forward(g, input: x, weight: w, bias: b, output: &plain)
      var naive = [Float](repeating: .nan, count: count)
      ConvKernel.forwardNaive(g, input: x, weight: w, bias: b, output: &naive)
      let worst = zip(plain, naive).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0
      #expect(worst <= 1e-4, "\(c) split \(split)")
      for act in Self.activations {
        for withSum in [false, true] {
          var fused = [Float](repeating: .nan, count: count)
          z.withUnsafeBufferPointer { zp in
            ConvKernel.forward(
              g, input: x, weight: w, bias: b, output: &fused,
              epilogue: ConvEpilogue(sum: withSum ? zp.baseAddress : nil, activation: act))
          }
          let expected = (0..<count).map { Self.reference(act, withSum ? plain[$0] + z[$0] : plain[$0]) }
          #expect(fused == expected, "\(c) \(act) sum \(withSum) split \(split)")
        }
      }
    }
  }

  @Test(arguments: cases)
  func forwardMatchesNaive(_ c: Case) {
    let g = c.geometry
    let x = randomFloats(g.batch * g.inputChannels * g.window.imageCount, seed: 1)
    let w = randomFloats(g.outputChannels * g.groupReduction, seed: 2)
    let b = randomFloats(g.outputChannels, seed: 3)
    let count = g.batch * g.outputChannels * g.window.outputCount
    var fast = [Float](repeating: .nan, count: count)
    var slow = [Float](repeating: .nan, count: count)
    ConvKernel.forward(g, input: x, weight: w, bias: b, output: &fast)
    ConvKernel.forwardNaive(g, input: x, weight: w, bias: b, output: &slow)
    let worst = zip(fast, slow).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0
    #expect(worst <= 1e-4, "\(c)")
  }

  /// The eight-channel depthwise kernel sums each window in the plane kernel's order, so the
  /// two agree exactly, with and without the epilogue.
  @Test(arguments: cases.filter { ConvKernel.blockedDepthwiseApplies($0.geometry) })
  func blockedDepthwiseEqualsPlaneKernel(_ c: Case) {
    let g = c.geometry
    #expect(ConvKernel.prefersBlockedDepthwise(g) || g.window.strides == [1, 1])
    Self.compareKernels(
      g, seed: 21,
      { x, w, b, out, e in ConvKernel.depthwise3x3Blocked(g, input: x, weight: w, bias: b, output: out, epilogue: e) },
      { x, w, b, out, e in ConvKernel.depthwise(g, input: x, weight: w, bias: b, output: out, epilogue: e) }
    ) { blocked, plane, label in
      #expect(blocked == plane, "\(c) \(label)")
    }
  }

  /// A convolution kernel: `(input, weight, bias, output, epilogue)`.
  typealias Kernel = (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, ConvEpilogue)
    -> Void

  /// Runs `first` and `second` on the same seeded random tensors (seeds `seed` to `seed + 3`)
  /// with every epilogue and hands both outputs to `check`, with the epilogue's description.
  static func compareKernels(
    _ g: ConvGeometry, seed: UInt64, _ first: Kernel, _ second: Kernel, check: ([Float], [Float], String) -> Void
  ) {
    let x = randomFloats(g.batch * g.inputChannels * g.window.imageCount, seed: seed)
    let w = randomFloats(g.outputChannels * g.groupReduction, seed: seed + 1)
    let b = randomFloats(g.outputChannels, seed: seed + 2)
    let count = g.batch * g.outputChannels * g.window.outputCount
    let z = randomFloats(count, seed: seed + 3)
    for act in activations {
      for withSum in [false, true] {
        var a = [Float](repeating: .nan, count: count)
        var c = [Float](repeating: .nan, count: count)
        z.withUnsafeBufferPointer { zp in
          let e = ConvEpilogue(sum: withSum ? zp.baseAddress : nil, activation: act)
          first(x, w, b, &a, e)
          second(x, w, b, &c, e)
        }
        check(a, c, "\(act) sum \(withSum)")
      }
    }
  }

  /// The direct depthwise kernel (C, FMA) against the plane kernel (Swift), forced on every
  /// width, stride, pad and multiplier it accepts: narrow rows (a single partial vector), rows
  /// a vector and a bit wide (the overlapping last vector), pads of 0 to 2 on either side, with
  /// and without the epilogue. Tolerance 1e-5 absolute + relative: the two differ only by FMA
  /// rounding.
  @Test func directDepthwiseMatchesPlaneKernel() {
    var checked = 0
    for (width, height) in [(3, 4), (8, 5), (9, 3), (13, 6), (16, 2), (23, 7), (40, 3)] {
      for strides in [[1, 1], [2, 2], [1, 2], [2, 1]] {
        for pads in [[0, 0], [1, 1], [2, 1], [0, 2]] {
          for (c, m) in [(3, 3), (2, 4)] {
            let g = Case(
              batch: 2, c: c, m: m, groups: c, image: [height, width], kernel: [3, 3], strides: strides,
              dilations: [1, 1], pads: pads
            ).geometry
            guard g.window.outputSpatial.allSatisfy({ $0 > 0 }), ConvKernel.directDepthwiseApplies(g) else { continue }
            Self.compareKernels(
              g, seed: 31,
              { x, w, b, out, e in ConvKernel.depthwise3x3Direct(g, input: x, weight: w, bias: b, output: out, epilogue: e) },
              { x, w, b, out, e in ConvKernel.depthwise(g, input: x, weight: w, bias: b, output: out, epilogue: e) }
            ) { direct, plane, label in
              let worst = zip(direct, plane).map { abs($0 - $1) - 1e-5 * abs($1) }.max() ?? 0
              #expect(worst <= 1e-5, "\(width)x\(height) s\(strides) p\(pads) c\(c) m\(m) \(label)")
              checked += 1
            }
          }
        }
      }
    }
    #expect(checked > 500 || !ConvKernel.hasPointwiseKernel)
  }

  /// The images-as-columns kernel against the naive twin (tolerance 1e-4 absolute + relative),
  /// forced on shapes it accepts: batches of 16 to 40 (a second pass of images, a partial strip
  /// of images), more than 64 channels (several channel slices), M off the six-row blocks,
  /// strides, dilations, non-square windows, and pads wide enough that some positions have
  /// every tap on the border; with and without the epilogue.
  @Test(
    arguments: [
      Case(batch: 16, c: 5, m: 7, groups: 1, image: [4, 4], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 17, c: 70, m: 13, groups: 1, image: [3, 5], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 33, c: 6, m: 4, groups: 1, image: [8, 8], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 40, c: 3, m: 8, groups: 1, image: [6, 5], kernel: [2, 3], strides: [2, 1], dilations: [2, 1], pads: [1, 2]),
      Case(batch: 20, c: 4, m: 2, groups: 1, image: [2, 2], kernel: [2, 2], strides: [1, 1], dilations: [1, 1], pads: [3, 3]),
      Case(batch: 18, c: 130, m: 6, groups: 1, image: [2, 2], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 16, c: 2, m: 5, groups: 1, image: [1, 9], kernel: [1, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 1]),
    ])
  func imageColumnsMatchesNaive(_ c: Case) {
    let g = c.geometry
    #expect(ConvKernel.imageColumnsApplies(g) || !ConvKernel.hasPointwiseKernel)
    guard ConvKernel.imageColumnsApplies(g) else { return }
    Self.expectFusedMatchesNaive(g, seed: 61, "\(c)") { x, w, b, out, e in
      ConvKernel.imageColumns(g, input: x, weight: w, bias: b, output: out, epilogue: e)
    }
  }

  /// A fused convolution kernel (`run(input, weight, bias, output, epilogue)`) against the naive
  /// twin followed by the sum and activation, for every epilogue, on seeded random tensors
  /// (seeds `seed` to `seed + 3`): tolerance 1e-4 absolute + relative.
  static func expectFusedMatchesNaive(
    _ g: ConvGeometry, seed: UInt64, _ label: String,
    _ run: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, ConvEpilogue) -> Void
  ) {
    let x = randomFloats(g.batch * g.inputChannels * g.window.imageCount, seed: seed)
    let w = randomFloats(g.outputChannels * g.groupReduction, seed: seed + 1)
    let b = randomFloats(g.outputChannels, seed: seed + 2)
    let count = g.batch * g.outputChannels * g.window.outputCount
    let z = randomFloats(count, seed: seed + 3)
    var naive = [Float](repeating: .nan, count: count)
    ConvKernel.forwardNaive(g, input: x, weight: w, bias: b, output: &naive)
    for act in activations {
      for withSum in [false, true] {
        var fast = [Float](repeating: .nan, count: count)
        z.withUnsafeBufferPointer { zp in
          run(x, w, b, &fast, ConvEpilogue(sum: withSum ? zp.baseAddress : nil, activation: act))
        }
        let expected = (0..<count).map { reference(act, withSum ? naive[$0] + z[$0] : naive[$0]) }
        let worst = zip(fast, expected).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "\(label) \(act) sum \(withSum)")
      }
    }
  }

  /// ∂X and ∂W written out from the definition, accumulating in Double.
  static func backwardNaive(_ g: ConvGeometry, x: [Float], w: [Float], dy: [Float]) -> (dx: [Float], dw: [Float]) {
    let win = g.window
    let (mg, cg) = (g.groupOutputChannels, g.groupInputChannels)
    var dx = [Double](repeating: 0, count: x.count)
    var dw = [Double](repeating: 0, count: w.count)
    for n in 0..<g.batch {
      for m in 0..<g.outputChannels {
        let grp = m / mg
        for o in 0..<win.outputCount {
          let oIndex = Im2Col.unflatten(o, win.outputSpatial)
          let gy = Double(dy[(n * g.outputChannels + m) * win.outputCount + o])
          for c in 0..<cg {
            for k in 0..<win.kernelCount {
              let kIndex = Im2Col.unflatten(k, win.kernel)
              var flat = 0
              var inside = true
              for d in 0..<win.rank {
                let i = oIndex[d] * win.strides[d] + kIndex[d] * win.dilations[d] - win.padsBegin[d]
                if i < 0 || i >= win.imageSpatial[d] { inside = false }
                flat = flat * win.imageSpatial[d] + i
              }
              if !inside { continue }
              let xi = (n * g.inputChannels + grp * cg + c) * win.imageCount + flat
              let wi = (m * cg + c) * win.kernelCount + k
              dx[xi] += Double(w[wi]) * gy
              dw[wi] += Double(x[xi]) * gy
            }
          }
        }
      }
    }
    return (dx.map { Float($0) }, dw.map { Float($0) })
  }

  /// `ConvKernel.backward` (GEMM per image, 1×1 without im2col, the depthwise tiles) against the
  /// definition, on one worker and with the batch split over two, asking for ∂X and ∂W
  /// together and apart (tolerance 1e-4 absolute + relative).
  @Test(arguments: cases)
  func backwardMatchesNaive(_ c: Case) {
    let g = c.geometry
    let x = randomFloats(g.batch * g.inputChannels * g.window.imageCount, seed: 31)
    let w = randomFloats(g.outputChannels * g.groupReduction, seed: 32)
    let dy = randomFloats(g.batch * g.outputChannels * g.window.outputCount, seed: 33)
    let (dxRef, dwRef) = Self.backwardNaive(g, x: x, w: w, dy: dy)
    func close(_ a: [Float], _ b: [Float]) -> Bool {
      (zip(a, b).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0) <= 1e-4
    }
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    for split in [false, true] {
      let saved = (ParallelKernels.splitsGemm, ParallelKernels.threads)
      ParallelKernels.splitsGemm = split
      ParallelKernels.threads = split ? 2 : saved.1
      defer { (ParallelKernels.splitsGemm, ParallelKernels.threads) = saved }
      for (wantX, wantW) in [(true, true), (true, false), (false, true)] {
        var dx = [Float](repeating: .nan, count: x.count)
        var dw = [Float](repeating: .nan, count: w.count)
        dx.withUnsafeMutableBufferPointer { dxp in
          dw.withUnsafeMutableBufferPointer { dwp in
            ConvKernel.backward(
              g, input: x, weight: w, gradOutput: dy, gradInput: wantX ? dxp.baseAddress : nil,
              gradWeight: wantW ? dwp.baseAddress : nil)
          }
        }
        if wantX { #expect(close(dx, dxRef), "\(c) dX split \(split) alone \(!wantW)") }
        if wantW { #expect(close(dw, dwRef), "\(c) dW split \(split) alone \(!wantX)") }
        if !wantX { #expect(dx.allSatisfy { $0.isNaN }, "\(c): dX written though not asked for") }
        if !wantW { #expect(dw.allSatisfy { $0.isNaN }, "\(c): dW written though not asked for") }
      }
    }
  }

  /// The AVX2/FMA pointwise kernel on its own (whatever size `forward` would pick it for),
  /// against the definition, with every epilogue: tolerance 1e-4 absolute + relative.
  @Test(
    .enabled(if: ConvKernel.hasPointwiseKernel),
    arguments: [
      (2, 5, 7, [3, 3]), (3, 37, 13, [5, 7]), (1, 16, 6, [4, 4]), (2, 9, 25, [33, 35]), (17, 4, 3, [1, 1]),
      // Planes a multiple of 16 with M ≤ K: the input rows are read in place (K over one slice too).
      (3, 40, 7, [4, 8]), (2, 300, 13, [4, 4]),
      // Strips across images (6x6 and 3x3 planes, as MobileNetV2's last stages): each image's
      // run copied with vector loads, masked at the end of the last image's planes.
      (5, 96, 20, [6, 6]), (7, 33, 8, [3, 3]),
    ])
  func pointwiseKernelMatchesNaive(_ batch: Int, _ c: Int, _ m: Int, _ image: [Int]) {
    let g = ConvGeometry(
      batch: batch, inputChannels: c, outputChannels: m, groups: 1,
      window: WindowGeometry(
        imageSpatial: image, outputSpatial: image, kernel: [1, 1], strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0]))
    #expect(ConvKernel.pointwiseApplies(g))
    Self.expectFusedMatchesNaive(g, seed: 41, "n\(batch) c\(c) m\(m) \(image)") { x, w, b, out, e in
      ConvKernel.pointwise(g, input: x, weight: w, bias: b, output: out, epilogue: e)
    }
  }

  /// The AVX2/FMA windowed kernel on its own, weights read in place and packed, against the
  /// definition with every epilogue (tolerance 1e-4 absolute + relative): 2-D windows with
  /// strides 1 and 2 (the vector gathers) and 3 (not in `windowedApplies`, the scalar gather),
  /// dilation, pads, rows longer than a strip and strips spanning rows and images, K over one
  /// 256-row slice, M off the 6-row blocks (tails of 1, 3 and 4 rows).
  @Test(
    .enabled(if: ConvKernel.hasPointwiseKernel),
    arguments: [
      Case(batch: 2, c: 5, m: 7, groups: 1, image: [7, 6], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 3, c: 40, m: 13, groups: 1, image: [9, 20], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 2, c: 3, m: 64, groups: 1, image: [40, 38], kernel: [7, 7], strides: [2, 2], dilations: [1, 1], pads: [3, 3]),
      Case(batch: 4, c: 8, m: 10, groups: 1, image: [8, 8], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 2, c: 4, m: 5, groups: 1, image: [9, 9], kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [2, 2]),
      Case(batch: 1, c: 2, m: 3, groups: 1, image: [5, 7], kernel: [2, 5], strides: [2, 1], dilations: [1, 1], pads: [0, 3]),
      Case(batch: 3, c: 6, m: 4, groups: 1, image: [5, 5], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [0, 0]),
      Case(batch: 2, c: 3, m: 9, groups: 1, image: [11, 23], kernel: [3, 3], strides: [1, 3], dilations: [1, 1], pads: [1, 1]),
      // Output rows of 16 and 32: the direct path (a zero-bordered copy of each image), one
      // image split over the workers, K over one slice, dilation, no padding.
      Case(batch: 3, c: 5, m: 7, groups: 1, image: [5, 16], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 1, c: 31, m: 13, groups: 1, image: [6, 32], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 2, c: 4, m: 6, groups: 1, image: [7, 20], kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [0, 0]),
      Case(batch: 2, c: 3, m: 4, groups: 1, image: [4, 18], kernel: [2, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0]),
      // Stride 2 with output rows of 16 and 32: the direct path on the four phase planes (odd
      // and even image sizes, a 7x7 stem, dilation, an even kernel without padding, K over one
      // slice).
      Case(batch: 2, c: 3, m: 14, groups: 1, image: [63, 64], kernel: [7, 7], strides: [2, 2], dilations: [1, 1], pads: [3, 3]),
      Case(batch: 3, c: 5, m: 7, groups: 1, image: [9, 32], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
      Case(batch: 2, c: 4, m: 6, groups: 1, image: [10, 31], kernel: [3, 3], strides: [2, 2], dilations: [2, 2], pads: [2, 2]),
      Case(batch: 2, c: 3, m: 5, groups: 1, image: [7, 34], kernel: [2, 4], strides: [2, 2], dilations: [1, 1], pads: [0, 0]),
      Case(batch: 1, c: 40, m: 9, groups: 1, image: [6, 32], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1]),
    ])
  func windowedKernelMatchesNaive(_ c: Case) {
    let g = c.geometry
    let x = randomFloats(g.batch * c.c * g.window.imageCount, seed: 51)
    let w = randomFloats(c.m * c.c * g.window.kernelCount, seed: 52)
    let b = randomFloats(c.m, seed: 53)
    let count = g.batch * c.m * g.window.outputCount
    let z = randomFloats(count, seed: 54)
    var naive = [Float](repeating: .nan, count: count)
    ConvKernel.forwardNaive(g, input: x, weight: w, bias: b, output: &naive)
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    let saved = ConvKernel.packWeightsFromStrips
    defer { ConvKernel.packWeightsFromStrips = saved }
    let savedDirect = ConvKernel.useDirectRows
    defer { ConvKernel.useDirectRows = savedDirect }
    var first: [Float]?
    for (packFrom, direct) in [(Int.max, true), (0, true), (0, false)] {
      ConvKernel.packWeightsFromStrips = packFrom
      ConvKernel.useDirectRows = direct
      for act in Self.activations {
        for withSum in [false, true] {
          var fast = [Float](repeating: .nan, count: count)
          z.withUnsafeBufferPointer { zp in
            ConvKernel.windowed(
              g, input: x, weight: w, bias: b, output: &fast,
              epilogue: ConvEpilogue(sum: withSum ? zp.baseAddress : nil, activation: act))
          }
          let expected = (0..<count).map { Self.reference(act, withSum ? naive[$0] + z[$0] : naive[$0]) }
          let worst = zip(fast, expected).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0
          #expect(worst <= 1e-4, "\(c) \(act) sum \(withSum) packed \(packFrom == 0) direct \(direct)")
          if case .identity = act, !withSum {
            // Packed or in place, gathered or read from the bordered image: the same sums in
            // the same order.
            if let first { #expect(fast == first, "\(c): packed \(packFrom == 0) direct \(direct) differs") } else { first = fast }
          }
        }
      }
    }
  }

  /// The 1x1 cases above (strided too) are the ones `forward` sends to the pointwise kernel, so
  /// `forwardMatchesNaive` and `epilogueEqualsSeparateSteps` check it there.
  @Test(.enabled(if: ConvKernel.hasPointwiseKernel))
  func oneByOneCasesUseThePointwiseKernel() {
    let chosen = Self.cases.filter { ConvKernel.prefersPointwiseKernel($0.geometry) }.map(\.description)
    #expect(chosen.count == 5, "\(chosen)")
  }

  @Test(arguments: cases)
  func transposeMatchesNaive(_ c: Case) {
    // Reuse the case as the forward conv whose image is the transposed conv's output.
    var g = c.geometry
    // Transposed: input channels = forward's output channels (per-group weight layout [C, M/g, k]).
    swap(&g.inputChannels, &g.outputChannels)
    let x = randomFloats(g.batch * g.inputChannels * g.window.outputCount, seed: 4)
    let w = randomFloats(g.inputChannels * g.groupOutputChannels * g.window.kernelCount, seed: 5)
    let b = randomFloats(g.outputChannels, seed: 6)
    let count = g.batch * g.outputChannels * g.window.imageCount
    var fast = [Float](repeating: .nan, count: count)
    var slow = [Float](repeating: .nan, count: count)
    ConvKernel.transposeForward(g, input: x, weight: w, bias: b, output: &fast)
    ConvKernel.transposeForwardNaive(g, input: x, weight: w, bias: b, output: &slow)
    let worst = zip(fast, slow).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0
    #expect(worst <= 1e-4, "\(c)")
  }

  @Test(arguments: cases)
  func im2colAndCol2imMatchNaive(_ c: Case) {
    let w = c.geometry.window
    let rows = c.c * w.kernelCount
    let ld = w.outputCount + 3
    let image = randomFloats(c.c * w.imageCount, seed: 8)
    var fast = [Float](repeating: -7, count: rows * ld)
    var slow = fast
    Im2Col.im2col(image: image, channels: c.c, geometry: w, columns: &fast, ldcol: ld, columnOffset: 2)
    Im2Col.im2colNaive(image: image, channels: c.c, geometry: w, columns: &slow, ldcol: ld, columnOffset: 2)
    #expect(fast == slow, "\(c)")
    let columns = randomFloats(rows * ld, seed: 9)
    var back = [Float](repeating: 0.5, count: c.c * w.imageCount)
    var backSlow = back
    Im2Col.col2im(columns: columns, ldcol: ld, columnOffset: 1, channels: c.c, geometry: w, image: &back)
    Im2Col.col2imNaive(columns: columns, ldcol: ld, columnOffset: 1, channels: c.c, geometry: w, image: &backSlow)
    let worst = zip(back, backSlow).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-5, "\(c)")
  }
}
