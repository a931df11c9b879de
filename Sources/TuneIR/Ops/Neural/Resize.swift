import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// ONNX `Resize`: resamples X to `sizes` or by `scales` with nearest, linear or cubic
/// interpolation, separably along each axis (as the ONNX reference does).
/// https://onnx.ai/onnx/operators/onnx__Resize.html
///
/// Opset differences: 10 has inputs `(X, scales)` and only `mode` (asymmetric coordinates,
/// floor rounding for nearest, like Upsample); 11 adds `roi`, `sizes`,
/// `coordinate_transformation_mode`, `nearest_mode`, `cubic_coeff_a`, `exclude_outside`,
/// `extrapolation_value`; 18 adds `antialias`, `axes`, `keep_aspect_ratio_policy`; 19 adds the
/// `half_pixel_symmetric` coordinate mode.
public struct Resize: Operator {
  public static let opType = "Resize"
  public var mode: String
  public var coordinateMode: String
  public var nearestMode: String
  public var cubicCoefficient: Double
  public var excludeOutside: Bool
  public var extrapolationValue: Float
  public var antialias: Bool
  public var axes: [Int]?
  public var keepAspectRatioPolicy: String
  public var opset: Int

  public init(node: Node, opset: Int) throws {
    self.opset = opset
    mode = try node.string("mode", default: "nearest")
    if opset < 11 {
      coordinateMode = "asymmetric"
      nearestMode = "floor"
    } else {
      coordinateMode = try node.string("coordinate_transformation_mode", default: "half_pixel")
      nearestMode = try node.string("nearest_mode", default: "round_prefer_floor")
    }
    cubicCoefficient = Double(try node.float("cubic_coeff_a", default: -0.75))
    excludeOutside = try node.int("exclude_outside", default: 0) != 0
    extrapolationValue = try node.float("extrapolation_value", default: 0)
    antialias = try node.int("antialias", default: 0) != 0
    axes = try node.ints("axes")
    keepAspectRatioPolicy = try node.string("keep_aspect_ratio_policy", default: "stretch")
    guard ["nearest", "linear", "cubic"].contains(mode) else {
      throw OpError("mode must be nearest, linear or cubic, got \(mode)")
    }
    let coordinateModes = [
      "half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric",
      "tf_crop_and_resize",
    ]
    guard coordinateModes.contains(coordinateMode) else {
      throw OpError("coordinate_transformation_mode \(coordinateMode) is not one of \(coordinateModes)")
    }
    guard ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"].contains(nearestMode) else {
      throw OpError("nearest_mode \(nearestMode) is not round_prefer_floor, round_prefer_ceil, floor or ceil")
    }
    guard ["stretch", "not_larger", "not_smaller"].contains(keepAspectRatioPolicy) else {
      throw OpError("keep_aspect_ratio_policy must be stretch, not_larger or not_smaller, got \(keepAspectRatioPolicy)")
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let rank = x.rank
    var roiIn: Tensor?
    var scalesIn: Tensor?
    var sizesIn: Tensor?
    if opset < 11 {
      scalesIn = try NeuralSupport.required(inputs, 1, "scales")
    } else {
      roiIn = NeuralSupport.optional(inputs, 1)
      scalesIn = NeuralSupport.optional(inputs, 2)
      sizesIn = NeuralSupport.optional(inputs, 3)
    }
    if let s = scalesIn, s.count == 0 { scalesIn = nil }
    if let s = sizesIn, s.count == 0 { sizesIn = nil }
    let axes = try (self.axes ?? Array(0..<rank)).map { a in
      let r = a < 0 ? a + rank : a
      guard r >= 0 && r < rank else { throw OpError("axis \(a) is out of range for rank \(rank)") }
      return r
    }
    var scales = [Double](repeating: 1, count: rank)
    var sizes = x.shape
    if let sizesIn {
      guard scalesIn == nil else { throw OpError("only one of scales and sizes may be given") }
      let values = sizesIn.int64Values()
      guard values.count == axes.count else {
        throw OpError("sizes has \(values.count) values, expected \(axes.count)")
      }
      for (i, a) in axes.enumerated() {
        guard values[i] >= 0, values[i] < 1 << 31 else { throw OpError("sizes must be in [0, 2^31), got \(values)") }
        sizes[a] = Int(values[i])
        guard x.shape[a] > 0 || sizes[a] == 0 else {
          throw OpError("cannot resize the empty axis \(a) to \(sizes[a])")
        }
        // An empty axis stays empty; 0/0 would make a NaN scale.
        scales[a] = x.shape[a] == 0 ? 1 : Double(sizes[a]) / Double(x.shape[a])
      }
      if keepAspectRatioPolicy != "stretch" {
        let chosen = axes.filter { x.shape[$0] > 0 }.map { scales[$0] }
        let s = keepAspectRatioPolicy == "not_larger" ? chosen.min() ?? 1 : chosen.max() ?? 1
        for a in axes {
          // One axis's scale applied to another, longer one can pass any Int: checked first.
          let size = s * Double(x.shape[a]) + 0.5
          guard size < Double(1 << 31) else {
            throw OpError("sizes \(values) with keep_aspect_ratio_policy \(keepAspectRatioPolicy) give axis \(a) a size of \(size.rounded(.down)), over 2^31")
          }
          scales[a] = s
          sizes[a] = Int(size)
        }
      }
    } else if let scalesIn {
      let values = scalesIn.floatValues()
      guard values.count == axes.count else {
        throw OpError("scales has \(values.count) values, expected \(axes.count)")
      }
      for (i, a) in axes.enumerated() {
        guard values[i] > 0, values[i].isFinite, Double(values[i]) * Double(x.shape[a]) < 1e9 else {
          throw OpError("scales must be positive and finite with outputs under 1e9 elements, got \(values)")
        }
        scales[a] = Double(values[i])
        sizes[a] = Int(Double(values[i]) * Double(x.shape[a]))
      }
    } else {
      throw OpError("one of scales and sizes is required")
    }
    var roi: [Double]?
    if coordinateMode == "tf_crop_and_resize", let roiIn, roiIn.count > 0 {
      let values = roiIn.floatValues().map { Double($0) }
      guard values.count == 2 * axes.count else {
        throw OpError("roi has \(values.count) values, expected \(2 * axes.count)")
      }
      var full = [Double](repeating: 0, count: rank) + [Double](repeating: 1, count: rank)
      for (i, a) in axes.enumerated() {
        full[a] = values[i]
        full[rank + a] = values[axes.count + i]
      }
      roi = full
    }
    var resized = [Bool](repeating: false, count: rank)
    for a in axes {
      let axisRoi = roi.map { ($0[a], $0[rank + a]) }
      resized[a] = !(scales[a] == 1 && sizes[a] == x.shape[a] && (axisRoi == nil || axisRoi! == (0, 1)))
    }
    // Every size is known now: check the output, the buffers between axes and the tables
    // before building any of them.
    try Resize.checkSizes(
      input: x.shape, dtype: x.dtype, sizes: sizes,
      taps: (0..<rank).map { a in
        resized[a] ? Resize.tapCount(mode: mode, antialias: antialias, scale: scales[a]) : 0
      })
    var tables = [ResizeKernel.AxisTable?](repeating: nil, count: rank)
    for a in 0..<rank where resized[a] {
      tables[a] = try Resize.table(
        inputSize: x.shape[a], outputSize: sizes[a], scale: scales[a], mode: mode,
        coordinateMode: coordinateMode, nearestMode: nearestMode, cubicCoefficient: cubicCoefficient,
        excludeOutside: excludeOutside, antialias: antialias, roi: roi.map { ($0[a], $0[rank + a]) })
    }
    let input = try NeuralSupport.asFloat(x, "X").elements(as: Float.self)
    let (values, shape) = ResizeKernel.resize(
      input, shape: x.shape, tables: tables, extrapolationValue: extrapolationValue)
    return [NeuralSupport.restore(Tensor(values, shape: shape), to: x.dtype)]
  }

  /// Most elements a Resize or Upsample output (or a buffer between two resized axes) may have.
  public static let maxElements = 1 << 31

  /// Taps per output index of a table for `mode` at `scale` (as `table` will build it), or nil
  /// when the scale is not positive and finite or the antialiasing footprint is beyond 2^52.
  public static func tapCount(mode: String, antialias: Bool, scale: Double) -> Int? {
    switch mode {
    case "linear" where antialias, "cubic" where antialias:
      // The footprint `table` gives: 2 - 2·(⌊-support/s⌋ + 1) taps for s = min(scale, 1).
      let s = min(scale, 1)
      let support = mode == "linear" ? 1.0 : 2.0
      guard s > 0, s.isFinite, support / s < Double(1 << 52) else { return nil }
      return -2 * Int((-support / s).rounded(.down))
    case "cubic": return 4
    default: return 2  // nearest, linear
    }
  }

  /// Checks that resizing a tensor of `input` shape and `dtype` to `sizes` fits, before any
  /// table or buffer is built: the output, every buffer between two resized axes (the kernel
  /// resizes one axis after another, in order, in float32, so a grown axis followed by a shrunk
  /// one can need more than the output) and each axis's table (`taps[a]` taps per output index,
  /// 0 for an axis left alone, nil when not computable) must be within `maxElements` elements
  /// and `TensorLimits.maxBytes` bytes. All the arithmetic is overflow-checked.
  public static func checkSizes(input: [Int], dtype: DType, sizes: [Int], taps: [Int?]) throws {
    func check(_ shape: [Int], _ what: String) throws {
      for t in dtype == .float ? [DType.float] : [.float, dtype] {
        if let why = TensorLimits.violation(t, shape: shape) { throw OpError("\(what) is too large: \(why)") }
      }
      guard Tensor.checkedElementCount(shape.map { Int64($0) }, limit: maxElements) != nil else {
        throw OpError("\(what) \(shape) is too large: over \(maxElements) elements")
      }
    }
    try check(sizes, "output")
    var current = input
    for a in 0..<input.count where taps[a] != 0 {
      current[a] = sizes[a]
      if current != sizes { try check(current, "the buffer after resizing axis \(a)") }
    }
    for a in 0..<input.count where taps[a] != 0 && sizes[a] > 0 {
      let what = "the resize table of axis \(a) (\(sizes[a]) outputs)"
      guard let n = taps[a] else { throw OpError("\(what): scale is not positive and finite or too small") }
      // Per tap an index (Int) and a weight (Float); per output an extrapolation flag.
      let perOutput = MemoryLayout<Int>.size * n + MemoryLayout<Float>.size * n + MemoryLayout<Bool>.size
      let (bytes, o) = sizes[a].multipliedReportingOverflow(by: perOutput)
      guard !o, bytes <= TensorLimits.maxBytes else {
        throw OpError("\(what) with \(n) taps each is too large: it needs \(o ? "over 2^63" : "\(bytes)") bytes, over the limit of \(TensorLimits.maxBytes) bytes per tensor (ONNX_TUNE_MAX_TENSOR_BYTES)")
      }
    }
  }

  /// The 1-D resampling table for one axis, following the ONNX reference evaluator
  /// (`_interpolate_1d_along_axis`): source coordinate by `coordinateMode`, weights by `mode`,
  /// taps the nearest input indices (edge-clamped).
  public static func table(
    inputSize: Int, outputSize: Int, scale: Double, mode: String, coordinateMode: String,
    nearestMode: String, cubicCoefficient: Double = -0.75, excludeOutside: Bool = false,
    antialias: Bool = false, roi: (Double, Double)? = nil
  ) throws -> ResizeKernel.AxisTable {
    guard inputSize > 0 || outputSize == 0 else {
      throw OpError("cannot resize an empty axis to \(outputSize)")
    }
    let inputWidth = Double(inputSize)
    let outputWidth = scale * inputWidth
    func coefficients(_ ratio: Double) -> [Double] {
      switch mode {
      case "nearest":
        if ratio == 1 || ratio == 0 { return [0, 1] }
        switch nearestMode {
        case "round_prefer_ceil": return ratio < 0.5 ? [1, 0] : [0, 1]
        case "floor": return [1, 0]
        case "ceil": return [0, 1]
        default: return ratio <= 0.5 ? [1, 0] : [0, 1]
        }
      case "linear":
        if !antialias { return [1 - ratio, ratio] }
        let s = min(scale, 1)
        let start = Int((-1 / s).rounded(.down)) + 1
        let footprint = 2 - 2 * start
        let c = (0..<footprint).map { max(0, min(1, 1 - abs((Double(start + $0) - ratio) * s))) }
        let sum = c.reduce(0, +)
        return c.map { $0 / sum }
      default:  // cubic
        let a = cubicCoefficient
        if !antialias {
          let r = ratio
          return [
            ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
            ((a + 2) * r - (a + 3)) * r * r + 1,
            ((a + 2) * (1 - r) - (a + 3)) * (1 - r) * (1 - r) + 1,
            ((a * ((1 - r) + 1) - 5 * a) * ((1 - r) + 1) + 8 * a) * ((1 - r) + 1) - 4 * a,
          ]
        }
        let s = min(scale, 1)
        let start = Int((-2 / s).rounded(.down)) + 1
        let end = 2 - start
        let c = (start..<end).map { i -> Double in
          let x = abs(s * (Double(i) - ratio))
          if x <= 1 { return (a + 2) * x * x * x - (a + 3) * x * x + 1 }
          if x < 2 { return a * x * x * x - 5 * a * x * x + 8 * a * x - 4 * a }
          return 0
        }
        let sum = c.reduce(0, +)
        return c.map { $0 / sum }
      }
    }
    var indices: [Int] = []
    var weights: [Float] = []
    var extrapolated = [Bool](repeating: false, count: outputSize)
    var taps = 0
    for o in 0..<outputSize {
      let y = Double(o)
      var x: Double
      switch coordinateMode {
      case "align_corners":
        x = outputWidth == 1 ? 0 : y * (inputWidth - 1) / (outputWidth - 1)
      case "asymmetric":
        x = y / scale
      case "tf_crop_and_resize":
        let (r0, r1) = roi ?? (0, 1)
        x = outputWidth == 1 ? (r1 - r0) * (inputWidth - 1) / 2 : y * (r1 - r0) * (inputWidth - 1) / (outputWidth - 1)
        x += r0 * (inputWidth - 1)
        extrapolated[o] = x < 0 || x > inputWidth - 1
      case "pytorch_half_pixel":
        x = outputWidth == 1 ? -0.5 : (y + 0.5) / scale - 0.5
      case "half_pixel_symmetric":
        let adjustment = Double(outputSize) / outputWidth
        let center = inputWidth / 2
        x = center * (1 - adjustment) + (y + 0.5) / scale - 0.5
      default:  // half_pixel
        x = (y + 0.5) / scale - 0.5
      }
      let floorX = x.rounded(.down)
      let ratio = x == floorX ? 1 : x - floorX
      var c = coefficients(ratio)
      let n = c.count
      if taps == 0 { taps = n }
      guard n == taps else { throw OpError("internal: resize tap count changed") }
      let pad = Double((n + 1) / 2)
      let padded = x + pad
      let p = padded.rounded(.down)
      let frac = padded - p
      let offset: Int
      if n % 2 == 0 {
        offset = frac == 0 ? -(n / 2) : -(n / 2) + 1
      } else {
        let base = -((n - 1) / 2)
        offset = frac <= 0.5 ? base : base + 1
      }
      let start = Int(p) + offset - Int(pad)
      if excludeOutside {
        var sum = 0.0
        for t in 0..<n {
          let i = start + t
          if i < 0 || i >= inputSize { c[t] = 0 }
          sum += c[t]
        }
        if sum == 0 { sum = 1 }
        for t in 0..<n { c[t] /= sum }
      }
      for t in 0..<n {
        indices.append(min(max(start + t, 0), inputSize - 1))
        weights.append(Float(c[t]))
      }
    }
    return ResizeKernel.AxisTable(
      inputSize: inputSize, outputSize: outputSize, taps: max(taps, 1), indices: indices,
      weights: weights, extrapolated: extrapolated)
  }
}
