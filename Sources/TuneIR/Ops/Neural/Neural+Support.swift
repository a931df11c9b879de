import TuneTensor

/// Small helpers shared by the neural ops: required inputs, float32 views, spatial attributes.
enum NeuralSupport {
  /// The attribute checks Conv and ConvTranspose share.
  static func checkConvAttributes(autoPad: String, group: Int) throws {
    guard ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else {
      throw OpError("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got \(autoPad)")
    }
    guard group >= 1 else { throw OpError("group must be >= 1, got \(group)") }
  }

  /// The shared body of Conv and ConvTranspose: checks B, converts to float, allocates Y
  /// (`[N, M] + outputSpatial`) and hands raw pointers to `kernel` (bias nil when absent).
  static func runConvolution(
    _ inputs: [Tensor?], geometry: (_ input: [Int], _ weight: [Int]) throws -> ConvGeometry,
    outputSpatial: (ConvGeometry) -> [Int],
    kernel: (ConvGeometry, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>?, UnsafeMutablePointer<Float>) -> Void
  ) throws -> [Tensor] {
    let xIn = try required(inputs, 0, "X")
    let wIn = try required(inputs, 1, "W")
    let g = try geometry(xIn.shape, wIn.shape)
    let bIn = optional(inputs, 2)
    if let bIn, bIn.shape != [g.outputChannels] {
      throw OpError("B must be [\(g.outputChannels)], got \(bIn.shape)")
    }
    let x = try asFloat(xIn, "X")
    let w = try asFloat(wIn, "W")
    let b = try bIn.map { try asFloat($0, "B") }
    var y = Tensor(uninitialized: .float, shape: [g.batch, g.outputChannels] + outputSpatial(g))
    x.withElements(as: Float.self) { xp in
      w.withElements(as: Float.self) { wp in
        y.withMutableElements(as: Float.self) { yp in
          guard yp.count > 0 else { return }
          if let b {
            b.withElements(as: Float.self) { bp in kernel(g, xp.baseAddress!, wp.baseAddress!, bp.baseAddress!, yp.baseAddress!) }
          } else {
            kernel(g, xp.baseAddress!, wp.baseAddress!, nil, yp.baseAddress!)
          }
        }
      }
    }
    return [restore(y, to: xIn.dtype)]
  }

  /// Input `index`, or an error naming it when it is missing.
  static func required(_ inputs: [Tensor?], _ index: Int, _ name: String) throws -> Tensor {
    guard index < inputs.count, let t = inputs[index] else {
      throw OpError("input \(index) (\(name)) is required but missing")
    }
    return t
  }

  /// Input `index` when present and non-empty-named.
  static func optional(_ inputs: [Tensor?], _ index: Int) -> Tensor? {
    index < inputs.count ? inputs[index] : nil
  }

  /// The tensor as float32 for computing; numeric types only.
  static func asFloat(_ t: Tensor, _ name: String) throws -> Tensor {
    if t.dtype == .float { return t }
    guard t.dtype.isFloatingPoint || t.dtype.isInteger else {
      throw OpError("\(name) should be numeric, got \(t.dtype)")
    }
    return t.converted(to: .float)
  }

  /// Calls `body` with `t`'s float elements (`t` must be float32), or with nil when there is no `t`
  /// (an optional bias).
  static func withFloats<R>(_ t: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withElements(as: Float.self) { body($0.baseAddress) }
  }

  /// Converts a float32 result back to the dtype the inputs had.
  static func restore(_ t: Tensor, to dtype: DType) -> Tensor {
    dtype == .float ? t : t.converted(to: dtype)
  }

  /// Spatial attributes of Conv/ConvTranspose/pooling with defaults filled for `spatialRank`.
  struct Window {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// Begin pads then end pads, one per spatial axis each.
    var padsBegin: [Int]
    var padsEnd: [Int]
  }

  /// Reads `strides`, `dilations` and `pads` for `spatialRank` axes, checking their lengths.
  static func readWindow(
    kernel: [Int], strides: [Int]?, dilations: [Int]?, pads: [Int]?, spatialRank: Int
  ) throws -> Window {
    let s = strides ?? Array(repeating: 1, count: spatialRank)
    let d = dilations ?? Array(repeating: 1, count: spatialRank)
    let p = pads ?? Array(repeating: 0, count: 2 * spatialRank)
    guard kernel.count == spatialRank else {
      throw OpError("kernel has \(kernel.count) spatial dims, expected \(spatialRank)")
    }
    guard s.count == spatialRank else {
      throw OpError("strides has \(s.count) values, expected \(spatialRank)")
    }
    guard d.count == spatialRank else {
      throw OpError("dilations has \(d.count) values, expected \(spatialRank)")
    }
    guard p.count == 2 * spatialRank else {
      throw OpError("pads has \(p.count) values, expected \(2 * spatialRank)")
    }
    guard s.allSatisfy({ $0 > 0 }), d.allSatisfy({ $0 > 0 }), kernel.allSatisfy({ $0 > 0 }) else {
      throw OpError("strides, dilations and kernel sizes must be positive, got \(s), \(d), \(kernel)")
    }
    guard p.allSatisfy({ $0 >= 0 }) else { throw OpError("pads must be non-negative, got \(p)") }
    return Window(
      kernel: kernel, strides: s, dilations: d, padsBegin: Array(p[0..<spatialRank]),
      padsEnd: Array(p[spatialRank...]))
  }

  /// Pads for `auto_pad` SAME_UPPER / SAME_LOWER (output = ceil(input / stride)).
  static func samePads(
    input: [Int], window: inout Window, lower: Bool
  ) {
    for i in 0..<input.count {
      let out = (input[i] + window.strides[i] - 1) / window.strides[i]
      let effectiveKernel = (window.kernel[i] - 1) * window.dilations[i] + 1
      let total = max(0, (out - 1) * window.strides[i] + effectiveKernel - input[i])
      let small = total / 2
      let big = total - small
      window.padsBegin[i] = lower ? big : small
      window.padsEnd[i] = lower ? small : big
    }
  }
}
