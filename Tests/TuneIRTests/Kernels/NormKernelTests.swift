import Testing
import TuneTensor

/// Normalization kernels against their naive twins (1e-5 absolute + relative).
@Suite struct NormKernelTests {
  @Test(arguments: [(1, 1), (3, 7), (64, 130), (5, 1000)])
  func momentsAndNormalizeMatchNaive(rows: Int, length: Int) {
    let x = randomFloats(rows * length, seed: UInt64(rows * 31 + length)).map { $0 * 3 + 1 }
    var mean = [Float](repeating: 0, count: rows)
    var inv = mean
    var meanSlow = mean
    var invSlow = mean
    NormKernel.moments(input: x, rows: rows, length: length, epsilon: 1e-5, mean: &mean, invStdDev: &inv)
    NormKernel.momentsNaive(input: x, rows: rows, length: length, epsilon: 1e-5, mean: &meanSlow, invStdDev: &invSlow)
    for r in 0..<rows {
      #expect(abs(mean[r] - meanSlow[r]) <= 1e-5 + 1e-5 * abs(meanSlow[r]))
      #expect(abs(inv[r] - invSlow[r]) <= 1e-5 + 1e-4 * abs(invSlow[r]))
    }
    let scale = randomFloats(length, seed: 5)
    let shift = randomFloats(length, seed: 6)
    var fast = [Float](repeating: 0, count: rows * length)
    var slow = fast
    NormKernel.normalizeRows(
      input: x, rows: rows, length: length, mean: meanSlow, invStdDev: invSlow, scale: scale, shift: shift, output: &fast)
    NormKernel.normalizeRowsNaive(
      input: x, rows: rows, length: length, mean: meanSlow, invStdDev: invSlow, scale: scale, shift: shift, output: &slow)
    let worst = zip(fast, slow).map { abs($0 - $1) - 1e-5 * abs($1) }.max() ?? 0
    #expect(worst <= 1e-5)
  }

  @Test func channelAffineAndMoments() {
    let (batch, channels, plane) = (3, 4, 5)
    let x = randomFloats(batch * channels * plane, seed: 9)
    var mean = [Float](repeating: 0, count: channels)
    var variance = mean
    NormKernel.channelMoments(input: x, batch: batch, channels: channels, plane: plane, mean: &mean, variance: &variance)
    for c in 0..<channels {
      var values: [Double] = []
      for n in 0..<batch { for i in 0..<plane { values.append(Double(x[(n * channels + c) * plane + i])) } }
      let m = values.reduce(0, +) / Double(values.count)
      let v = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count)
      #expect(abs(Double(mean[c]) - m) < 1e-6)
      #expect(abs(Double(variance[c]) - v) < 1e-6)
    }
    let a = randomFloats(channels, seed: 10)
    let b = randomFloats(channels, seed: 11)
    var y = [Float](repeating: 0, count: x.count)
    NormKernel.channelAffine(input: x, batch: batch, channels: channels, plane: plane, multiplier: a, offset: b, output: &y)
    for i in 0..<x.count {
      let c = (i / plane) % channels
      #expect(y[i] == x[i] * a[c] + b[c])
    }
  }
}
