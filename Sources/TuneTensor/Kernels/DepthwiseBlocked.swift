/// Depthwise 3×3 convolution eight channels at a time.
///
/// On small planes (MobileNet's 6×6 and 3×3) and at stride 2 the plane-by-plane kernel
/// spends most of its time on per-plane set-up, short rows and strided reads. Here eight
/// channels of one image are copied into a zero-bordered channels-last tile (each position one
/// `SIMD8<Float>`), so every tap is one vector multiply-add over eight channels whatever the
/// plane's width or stride, and the results are scattered back to the NCHW planes.
extension ConvKernel {
  /// The channel block: one AVX vector of floats.
  typealias Lanes = SIMD8<Float>

  /// True when `depthwise3x3Blocked` handles `g`: 2-D, 3×3, undilated, one output channel per
  /// input channel, stride 1 or 2 in each direction.
  public static func blockedDepthwiseApplies(_ g: ConvGeometry) -> Bool {
    let w = g.window
    return w.rank == 2 && g.groups == g.inputChannels && g.outputChannels == g.inputChannels
      && w.kernel == [3, 3] && w.dilations == [1, 1] && w.strides.allSatisfy { $0 == 1 || $0 == 2 }
  }

  /// Whether the blocked kernel is expected to beat the plane-by-plane one: stride 2, or output
  /// rows shorter than 8 (MobileNetV2-96, batch 32: 2-6x faster there; on 12x12 planes at
  /// stride 1 the plane kernel's flat loop was ~1.5x faster).
  public static func prefersBlockedDepthwise(_ g: ConvGeometry) -> Bool {
    let w = g.window
    return blockedDepthwiseApplies(g) && (w.strides != [1, 1] || w.outputSpatial[1] < blockedDepthwiseBelowWidth)
  }

  /// Stride-1 depthwise convolutions go to the blocked kernel when their output rows are
  /// narrower than this.
  nonisolated(unsafe) public static var blockedDepthwiseBelowWidth = 8

  /// `output = act(depthwise3x3(input) + bias + sum)`; `g` must satisfy
  /// `blockedDepthwiseApplies`. The sum of a position's nine taps is taken in the same order
  /// as the plane kernel's (bias first, then row by row), in single precision without FMA.
  ///
  /// With `planesPerFilter` p > 1, channel c of `g` uses filter and bias c / p (`weight` holds
  /// `channels / p` filters): the batch-folded layout of `FoldedDepthwiseConv`, where the p
  /// images of one channel are consecutive planes.
  public static func depthwise3x3Blocked(
    _ g: ConvGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ConvEpilogue,
    planesPerFilter: Int = 1
  ) {
    precondition(planesPerFilter >= 1 && g.inputChannels % planesPerFilter == 0)
    let w = g.window
    let (ih, iw) = (w.imageSpatial[0], w.imageSpatial[1])
    let (oh, ow) = (w.outputSpatial[0], w.outputSpatial[1])
    let (sh, sw) = (w.strides[0], w.strides[1])
    let (ph, pw) = (w.padsBegin[0], w.padsBegin[1])
    let channels = g.inputChannels
    let blocks = (channels + 7) / 8
    // Rows and columns of the zero-bordered tile: every window of every output fits inside.
    let tileH = max((oh - 1) * sh + 3, ph + ih)
    let tileW = max((ow - 1) * sw + 3, pw + iw)
    // Visible part of the image inside the tile (pads can exceed the windows' reach).
    let rows = min(ih, tileH - ph)
    let cols = min(iw, tileW - pw)
    // Weights per block and tap, and the bias per block, as vectors (zero past the last channel).
    // With whole blocks per filter, each block broadcasts its filter's taps instead (a table
    // would hold every block's copy: 1.1 MB for MobileNetV2's 960 channels of 32 images).
    let uniform = planesPerFilter % 8 == 0
    let taps = UnsafeMutablePointer<Lanes>.allocate(capacity: uniform ? 0 : blocks * 9)
    defer { taps.deallocate() }
    let biases = UnsafeMutablePointer<Lanes>.allocate(capacity: uniform ? 0 : blocks)
    defer { biases.deallocate() }
    if !uniform {
      for b in 0..<blocks {
        var bv = Lanes()
        for t in 0..<9 {
          var v = Lanes()
          for k in 0..<8 where b * 8 + k < channels { v[k] = weight[((b * 8 + k) / planesPerFilter) * 9 + t] }
          taps[b * 9 + t] = v
        }
        for k in 0..<8 where b * 8 + k < channels { bv[k] = bias?[(b * 8 + k) / planesPerFilter] ?? 0 }
        biases[b] = bv
      }
    }
    let plane = oh * ow
    let imagePlane = ih * iw
    let activation = epilogue.sum == nil ? epilogue.activation : .identity
    ParallelKernels.runRanges(g.batch * blocks, cost: plane * 9 * 8) { range in
      let tile = UnsafeMutablePointer<Lanes>.allocate(capacity: tileH * tileW)
      defer { tile.deallocate() }
      // The border stays zero; only the image area is rewritten per block.
      tile.initialize(repeating: Lanes(), count: tileH * tileW)
      let results = UnsafeMutablePointer<Lanes>.allocate(capacity: plane)
      defer { results.deallocate() }
      for unit in range {
        let (n, b) = unit.quotientAndRemainder(dividingBy: blocks)
        let c0 = b * 8
        let lanes = min(8, channels - c0)
        let src = input + (n * channels + c0) * imagePlane
        gather(src, lanes: lanes, plane: imagePlane, rows: rows, cols: cols, width: iw, into: tile + ph * tileW + pw, tileW: tileW)
        var (w0, w1, w2, w3, w4, w5, w6, w7, w8, bv): (Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes, Lanes)
        if uniform {
          let f = c0 / planesPerFilter
          let wf = weight + f * 9
          (w0, w1, w2, w3, w4) = (Lanes(repeating: wf[0]), Lanes(repeating: wf[1]), Lanes(repeating: wf[2]), Lanes(repeating: wf[3]), Lanes(repeating: wf[4]))
          (w5, w6, w7, w8) = (Lanes(repeating: wf[5]), Lanes(repeating: wf[6]), Lanes(repeating: wf[7]), Lanes(repeating: wf[8]))
          bv = Lanes(repeating: bias?[f] ?? 0)
        } else {
          let wt = taps + b * 9
          (w0, w1, w2, w3, w4) = (wt[0], wt[1], wt[2], wt[3], wt[4])
          (w5, w6, w7, w8) = (wt[5], wt[6], wt[7], wt[8])
          bv = biases[b]
        }
        for o in 0..<oh {
          let r0 = tile + o * sh * tileW
          let r1 = r0 + tileW
          let r2 = r1 + tileW
          let row = results + o * ow
          for j in 0..<ow {
            let q = j &* sw
            // (One addition at a time: the same order as the plane kernel's single expression.)
            var acc = bv + w0 * r0[q]
            acc = acc + w1 * r0[q &+ 1]
            acc = acc + w2 * r0[q &+ 2]
            acc = acc + w3 * r1[q]
            acc = acc + w4 * r1[q &+ 1]
            acc = acc + w5 * r1[q &+ 2]
            acc = acc + w6 * r2[q]
            acc = acc + w7 * r2[q &+ 1]
            acc = acc + w8 * r2[q &+ 2]
            row[j] = acc
          }
        }
        Self.activate(results, plane, activation)
        let out = output + (n * channels + c0) * plane
        untile(results, tileW: ow, rows: oh, width: ow, lanes: lanes, into: out, plane: plane)
        if let sum = epilogue.sum {
          for k in 0..<lanes {
            let offset = (n * channels + c0 + k) * plane
            let p = output + offset
            epilogue.finish(p, p, plane, bias: 0, sum: sum + offset)
          }
        }
      }
    }
  }

  /// Copies `lanes` (≤ 8) planes of `rows × cols` visible pixels (row stride `width`, plane
  /// stride `plane`) into the tile (`tileW` vectors per row), eight positions at a time.
  @inline(__always)
  static func gather(
    _ src: UnsafePointer<Float>, lanes: Int, plane: Int, rows: Int, cols: Int, width: Int,
    into tile: UnsafeMutablePointer<Lanes>, tileW: Int
  ) {
    if lanes == 8 && cols == width {
      // The visible rows are whole rows: walk the plane in runs of eight positions.
      let count = rows * width
      var p = 0
      // The next tile slot and its column in the image row.
      var dst = tile
      var c = 0
      let skip = tileW - width
      @inline(__always) func put(_ x: Lanes) {
        dst.pointee = x
        dst += 1
        c += 1
        if c == width { (c, dst) = (0, dst + skip) }
      }
      @inline(__always) func load(_ k: Int) -> Lanes { UnsafeRawPointer(src + k * plane + p).loadUnaligned(as: Lanes.self) }
      while p + 8 <= count {
        var v = Octet(load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7))
        v.transpose()
        put(v.v0)
        put(v.v1)
        put(v.v2)
        put(v.v3)
        put(v.v4)
        put(v.v5)
        put(v.v6)
        put(v.v7)
        p += 8
      }
      while p < count {
        let s = src + p
        put(Lanes(s[0], s[plane], s[2 * plane], s[3 * plane], s[4 * plane], s[5 * plane], s[6 * plane], s[7 * plane]))
        p += 1
      }
      return
    }
    for r in 0..<rows {
      for c in 0..<cols {
        var v = Lanes()
        for k in 0..<lanes { v[k] = src[k * plane + r * width + c] }
        tile[r * tileW + c] = v
      }
    }
  }

  /// The inverse of `gather`: `rows × width` positions of the tile (`tileW` vectors per row)
  /// back to `lanes` (≤ 8) planes of `plane` floats, eight positions at a time.
  @inline(__always)
  static func untile(
    _ tile: UnsafePointer<Lanes>, tileW: Int, rows: Int, width: Int, lanes: Int, into out: UnsafeMutablePointer<Float>,
    plane: Int
  ) {
    let count = rows * width
    var p = 0
    var src = tile
    var c = 0
    let skip = tileW - width
    @inline(__always) func next() -> Lanes {
      let v = src.pointee
      src += 1
      c += 1
      if c == width { (c, src) = (0, src + skip) }
      return v
    }
    if lanes == 8 {
      @inline(__always) func store(_ k: Int, _ x: Lanes) {
        UnsafeMutableRawPointer(out + k * plane + p).storeBytes(of: x, as: Lanes.self)
      }
      while p + 8 <= count {
        var v = Octet(next(), next(), next(), next(), next(), next(), next(), next())
        v.transpose()
        store(0, v.v0)
        store(1, v.v1)
        store(2, v.v2)
        store(3, v.v3)
        store(4, v.v4)
        store(5, v.v5)
        store(6, v.v6)
        store(7, v.v7)
        p += 8
      }
    }
    while p < count {
      let v = next()
      for k in 0..<lanes { out[k * plane + p] = v[k] }
      p += 1
    }
  }

  /// The activation over `count` vectors in place, with `ConvEpilogue`'s NaN rules.
  @inline(__always)
  static func activate(_ v: UnsafeMutablePointer<Lanes>, _ count: Int, _ activation: ConvActivation) {
    switch activation {
    case .identity: return
    case .relu:
      for j in 0..<count { v[j].replace(with: 0, where: v[j] .< 0) }
    case .clip(let lo, let hi):
      for j in 0..<count {
        v[j].replace(with: lo, where: v[j] .< lo)
        v[j].replace(with: hi, where: v[j] .> hi)
      }
    case .leakyRelu(let alpha):
      for j in 0..<count {
        let x = v[j]
        v[j] = x.replacing(with: alpha * x, where: .!(x .>= 0))
      }
    }
  }
}

/// Eight vectors of eight floats: an 8×8 block, transposed in registers.
struct Octet {
  typealias Lanes = ConvKernel.Lanes
  var v0, v1, v2, v3, v4, v5, v6, v7: Lanes

  @inline(__always) init(_ v0: Lanes, _ v1: Lanes, _ v2: Lanes, _ v3: Lanes, _ v4: Lanes, _ v5: Lanes, _ v6: Lanes, _ v7: Lanes) {
    (self.v0, self.v1, self.v2, self.v3, self.v4, self.v5, self.v6, self.v7) = (v0, v1, v2, v3, v4, v5, v6, v7)
  }

  /// Even and odd elements of `a` followed by `b`.
  @inline(__always) static func unzip(_ a: Lanes, _ b: Lanes) -> (Lanes, Lanes) {
    let s = SIMD16<Float>(lowHalf: a, highHalf: b)
    return (s.evenHalf, s.oddHalf)
  }

  /// Row `i` becomes column `i`. Seen as 64 floats with index `8·row + column` (six bits), one
  /// round of unzipping rotates the index right by one bit; three rounds swap row and column.
  @inline(__always) mutating func transpose() {
    for _ in 0..<3 {
      let (a0, a4) = Octet.unzip(v0, v1)
      let (a1, a5) = Octet.unzip(v2, v3)
      let (a2, a6) = Octet.unzip(v4, v5)
      let (a3, a7) = Octet.unzip(v6, v7)
      (v0, v1, v2, v3, v4, v5, v6, v7) = (a0, a1, a2, a3, a4, a5, a6, a7)
    }
  }
}
