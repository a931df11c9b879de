/// Normalization kernels: per-row moments (LayerNormalization, InstanceNormalization, batch
/// statistics), the per-channel affine map BatchNormalization reduces to in inference, and the
/// row normalization with a per-column scale and shift.
///
/// `momentsNaive` and `normalizeRowsNaive` are the reference twins (Double accumulation).
public enum NormKernel {
  /// Mean and `1/sqrt(var + epsilon)` (population variance) of each of `rows` contiguous rows
  /// of `length` elements. Two passes (mean, then squared deviations) for accuracy.
  public static func moments(
    input: UnsafePointer<Float>, rows: Int, length: Int, epsilon: Float,
    mean: UnsafeMutablePointer<Float>, invStdDev: UnsafeMutablePointer<Float>
  ) {
    ParallelKernels.run(rows, cost: length) { r in
      let x = input + r * length
      var sum: Float = 0
      for i in 0..<length { sum += x[i] }
      let m = length > 0 ? sum / Float(length) : 0
      var squares: Float = 0
      for i in 0..<length {
        let d = x[i] - m
        squares += d * d
      }
      let variance = length > 0 ? squares / Float(length) : 0
      mean[r] = m
      invStdDev[r] = 1 / (variance + epsilon).squareRoot()
    }
  }

  /// Reference twin of `moments`.
  public static func momentsNaive(
    input: UnsafePointer<Float>, rows: Int, length: Int, epsilon: Float,
    mean: UnsafeMutablePointer<Float>, invStdDev: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      var sum = 0.0
      for i in 0..<length { sum += Double(input[r * length + i]) }
      let m = sum / Double(max(length, 1))
      var squares = 0.0
      for i in 0..<length {
        let d = Double(input[r * length + i]) - m
        squares += d * d
      }
      mean[r] = Float(m)
      invStdDev[r] = Float(1 / (squares / Double(max(length, 1)) + Double(epsilon)).squareRoot())
    }
  }

  /// `y[r, i] = (x[r, i] − mean[r]) · invStdDev[r] · scale[i] + shift[i]` (scale 1 and shift 0
  /// when nil).
  public static func normalizeRows(
    input: UnsafePointer<Float>, rows: Int, length: Int, mean: UnsafePointer<Float>,
    invStdDev: UnsafePointer<Float>, scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>
  ) {
    ParallelKernels.run(rows, cost: length) { r in
      let x = input + r * length
      let y = output + r * length
      let m = mean[r]
      let s = invStdDev[r]
      switch (scale, shift) {
      case let (scale?, shift?):
        for i in 0..<length { y[i] = (x[i] - m) * s * scale[i] + shift[i] }
      case let (scale?, nil):
        for i in 0..<length { y[i] = (x[i] - m) * s * scale[i] }
      case let (nil, shift?):
        for i in 0..<length { y[i] = (x[i] - m) * s + shift[i] }
      case (nil, nil):
        for i in 0..<length { y[i] = (x[i] - m) * s }
      }
    }
  }

  /// Reference twin of `normalizeRows`.
  public static func normalizeRowsNaive(
    input: UnsafePointer<Float>, rows: Int, length: Int, mean: UnsafePointer<Float>,
    invStdDev: UnsafePointer<Float>, scale: UnsafePointer<Float>?, shift: UnsafePointer<Float>?,
    output: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      for i in 0..<length {
        let v = (Double(input[r * length + i]) - Double(mean[r])) * Double(invStdDev[r])
        output[r * length + i] = Float(v * Double(scale?[i] ?? 1) + Double(shift?[i] ?? 0))
      }
    }
  }

  /// `y[n, c, :] = x[n, c, :] · multiplier[c] + offset[c]` over `batch · channels` planes.
  public static func channelAffine(
    input: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
    multiplier: UnsafePointer<Float>, offset: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>
  ) {
    ParallelKernels.run(batch * channels, cost: plane) { p in
      let c = p % channels
      let a = multiplier[c]
      let b = offset[c]
      let x = input + p * plane
      let y = output + p * plane
      for i in 0..<plane { y[i] = x[i] * a + b }
    }
  }

  /// Mean and population variance of each channel over the batch and spatial axes (training
  /// BatchNormalization's batch statistics).
  public static func channelMoments(
    input: UnsafePointer<Float>, batch: Int, channels: Int, plane: Int,
    mean: UnsafeMutablePointer<Float>, variance: UnsafeMutablePointer<Float>
  ) {
    ParallelKernels.run(channels, cost: batch * plane) { c in
      var sum: Float = 0
      for n in 0..<batch {
        let x = input + (n * channels + c) * plane
        for i in 0..<plane { sum += x[i] }
      }
      let count = Float(max(batch * plane, 1))
      let m = sum / count
      var squares: Float = 0
      for n in 0..<batch {
        let x = input + (n * channels + c) * plane
        for i in 0..<plane {
          let d = x[i] - m
          squares += d * d
        }
      }
      mean[c] = m
      variance[c] = squares / count
    }
  }
}
