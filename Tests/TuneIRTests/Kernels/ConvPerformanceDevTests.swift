import Foundation
import Testing
import TuneTensor

/// Developer timing of the convolution kernel on ResNet-18 (64×64) and MobileNetV2 (96×96)
/// layer shapes at batch 32, against `cblas_sgemm` on each layer's GEMM shape. Skipped unless
/// `NNOPS_PERF` is set; run in release: `NNOPS_PERF=1 swift test -c release --filter ConvPerformance`.
@Test(.enabled(if: ProcessInfo.processInfo.environment["NNOPS_PERF"] != nil))
func convPerformance() {
  struct Layer { var c, m, groups, size, k, s, p: Int }
  let layers: [(String, Layer)] = [
    ("r18 conv1", Layer(c: 3, m: 64, groups: 1, size: 64, k: 7, s: 2, p: 3)),
    ("r18 l1 3x3", Layer(c: 64, m: 64, groups: 1, size: 16, k: 3, s: 1, p: 1)),
    ("r18 l2 3x3 s2", Layer(c: 64, m: 128, groups: 1, size: 16, k: 3, s: 2, p: 1)),
    ("r18 l2 3x3", Layer(c: 128, m: 128, groups: 1, size: 8, k: 3, s: 1, p: 1)),
    ("r18 l2 1x1 s2", Layer(c: 64, m: 128, groups: 1, size: 16, k: 1, s: 2, p: 0)),
    ("r18 l3 3x3", Layer(c: 256, m: 256, groups: 1, size: 4, k: 3, s: 1, p: 1)),
    ("r18 l4 3x3", Layer(c: 512, m: 512, groups: 1, size: 2, k: 3, s: 1, p: 1)),
    ("mv2 1x1 expand", Layer(c: 24, m: 144, groups: 1, size: 24, k: 1, s: 1, p: 0)),
    ("mv2 1x1 at 3x3", Layer(c: 160, m: 960, groups: 1, size: 3, k: 1, s: 1, p: 0)),
    ("mv2 dw 3x3", Layer(c: 144, m: 144, groups: 144, size: 24, k: 3, s: 1, p: 1)),
    ("mv2 dw 3x3 s2", Layer(c: 144, m: 144, groups: 144, size: 24, k: 3, s: 2, p: 1)),
    ("mv2 dw 3x3 960", Layer(c: 960, m: 960, groups: 960, size: 3, k: 3, s: 1, p: 1)),
  ]
  let batch = 32
  if let t = ProcessInfo.processInfo.environment["NNOPS_THREADS"].flatMap(Int.init) { ParallelKernels.threads = t }
  // With NNOPS_CPU_TIME set, the calling thread's CPU time (meaningful with one thread on a
  // shared machine); otherwise wall time.
  let cpuTime = ProcessInfo.processInfo.environment["NNOPS_CPU_TIME"] != nil
  func now() -> Double {
    var ts = timespec()
    clock_gettime(cpuTime ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
  }
  func time(_ body: () -> Void) -> Double {
    body()
    var best = Double.infinity
    for _ in 0..<5 {
      let t0 = now()
      body()
      best = min(best, now() - t0)
    }
    return best
  }
  for (name, l) in layers {
    let out = (l.size + 2 * l.p - l.k) / l.s + 1
    let g = ConvGeometry(
      batch: batch, inputChannels: l.c, outputChannels: l.m, groups: l.groups,
      window: WindowGeometry(
        imageSpatial: [l.size, l.size], outputSpatial: [out, out], kernel: [l.k, l.k], strides: [l.s, l.s],
        dilations: [1, 1], padsBegin: [l.p, l.p]))
    let x = randomFloats(batch * l.c * l.size * l.size, seed: 1)
    let w = randomFloats(l.m * g.groupReduction, seed: 2)
    var y = [Float](repeating: 0, count: batch * l.m * out * out)
    let conv = time { ConvKernel.forward(g, input: x, weight: w, bias: nil, output: &y) }
    let m = l.m / l.groups
    let n = batch * out * out
    let k = g.groupReduction
    let a = randomFloats(m * k, seed: 3)
    let b = randomFloats(k * n, seed: 4)
    var c = [Float](repeating: 0, count: m * n)
    let gemm = time {
      for _ in 0..<l.groups {
        GemmKernel.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n, beta: 0, c: &c, ldc: n)
      }
    }
    let flops = 2.0 * Double(l.m) * Double(n) * Double(k)
    print(String(format: "NNOPS %-16@ conv %7.2f ms (%5.1f GFLOP/s)  sgemm %7.2f ms  ratio %.2f", name as NSString, conv, flops / conv / 1e6, gemm, gemm / conv))
  }
}
