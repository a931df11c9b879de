/// The activation a fused convolution applies to each output element after its bias (and the
/// optional sum input): what `Relu`, `Clip` or `LeakyRelu` after a `Conv` would compute, done
/// while the output is still in cache instead of in another pass over memory.
public enum ConvActivation: Sendable, Equatable {
  case identity
  /// `max(x, 0)`, NaN kept.
  case relu
  /// `min(max(x, low), high)`, NaN kept (ReLU6 is `clip(0, 6)`).
  case clip(Float, Float)
  /// `x ≥ 0 ? x : alpha · x`.
  case leakyRelu(Float)
}

/// What a convolution adds and applies to its GEMM result: per-channel bias, an element-wise
/// sum input of the output's layout (a residual connection), then the activation.
public struct ConvEpilogue: @unchecked Sendable {
  public var sum: UnsafePointer<Float>?
  public var activation: ConvActivation

  public init(sum: UnsafePointer<Float>? = nil, activation: ConvActivation = .identity) {
    self.sum = sum
    self.activation = activation
  }

  public static let none = ConvEpilogue()

  /// True when nothing beyond the bias is applied.
  public var isEmpty: Bool { sum == nil && activation == .identity }

  /// `dst[i] = act(src[i] + bias + sum[i])` for `i < count`; `src` may equal `dst`, `sum` points
  /// at the same element as `dst` in the sum input.
  @inline(__always)
  func finish(
    _ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ count: Int, bias: Float,
    sum: UnsafePointer<Float>?
  ) {
    if let sum {
      switch activation {
      case .identity: for i in 0..<count { dst[i] = src[i] + bias + sum[i] }
      case .relu: for i in 0..<count { dst[i] = ConvEpilogue.relu(src[i] + bias + sum[i]) }
      case .clip(let lo, let hi): for i in 0..<count { dst[i] = ConvEpilogue.clip(src[i] + bias + sum[i], lo, hi) }
      case .leakyRelu(let a): for i in 0..<count { dst[i] = ConvEpilogue.leaky(src[i] + bias + sum[i], a) }
      }
    } else {
      switch activation {
      case .identity:
        if bias != 0 || dst != UnsafeMutablePointer(mutating: src) { for i in 0..<count { dst[i] = src[i] + bias } }
      case .relu: for i in 0..<count { dst[i] = ConvEpilogue.relu(src[i] + bias) }
      case .clip(let lo, let hi): for i in 0..<count { dst[i] = ConvEpilogue.clip(src[i] + bias, lo, hi) }
      case .leakyRelu(let a): for i in 0..<count { dst[i] = ConvEpilogue.leaky(src[i] + bias, a) }
      }
    }
  }

  // Selects on ordered comparisons, which are false for NaN, so NaN passes through as ONNX
  // wants; and branch-free, so the loops vectorize.
  @inline(__always) static func relu(_ v: Float) -> Float { v < 0 ? 0 : v }

  @inline(__always) static func clip(_ v: Float, _ lo: Float, _ hi: Float) -> Float {
    let a = v < lo ? lo : v
    return a > hi ? hi : a
  }

  @inline(__always) static func leaky(_ v: Float, _ alpha: Float) -> Float { v >= 0 ? v : alpha * v }

  /// Applies bias, sum and activation in place to `planes` output planes of `plane` elements
  /// (`[batch, channels, plane]`), spread over the cores.
  static func apply(
    _ e: ConvEpilogue, bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, batch: Int,
    channels: Int, plane: Int
  ) {
    if bias == nil && e.isEmpty { return }
    ParallelKernels.run(batch * channels, cost: plane) { p in
      let c = p % channels
      let dst = output + p * plane
      e.finish(dst, dst, plane, bias: bias?[c] ?? 0, sum: e.sum.map { $0 + p * plane })
    }
  }
}
