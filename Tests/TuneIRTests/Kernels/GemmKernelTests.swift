import Testing
import TuneTensor

@Suite struct GemmKernelTests {
  @Test(arguments: [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 1, 10), (2, 40, 0)])
  func gemmMatchesNaive(m: Int, n: Int, k: Int) {
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let a = randomFloats(m * k, seed: UInt64(m * 100 + k))
      let b = randomFloats(k * n, seed: UInt64(n * 100 + k + 1))
      let c0 = randomFloats(m * n, seed: 7)
      var fast = c0
      var slow = c0
      let lda = ta ? m : k
      let ldb = tb ? k : n
      GemmKernel.gemm(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb,
        beta: 0.3, c: &fast, ldc: n)
      GemmKernel.gemmNaive(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb,
        beta: 0.3, c: &slow, ldc: n)
      for i in 0..<(m * n) { #expect(abs(fast[i] - slow[i]) <= 1e-4 + 1e-4 * abs(slow[i])) }
    }
  }

  @Test func batchedMatMulSharedRightOperandMatchesNaive() {
    let (m, n, k, batches) = (3, 4, 5, 6)
    let a = randomFloats(batches * m * k, seed: 1)
    let b = randomFloats(k * n, seed: 2)
    var fast = [Float](repeating: 0, count: batches * m * n)
    GemmKernel.batchedMatMul(
      a: a, aOffsets: (0..<batches).map { $0 * m * k }, b: b, bOffsets: Array(repeating: 0, count: batches),
      c: &fast, m: m, n: n, k: k)
    for i in 0..<batches {
      var slow = [Float](repeating: 0, count: m * n)
      a.withUnsafeBufferPointer { ap in
        GemmKernel.gemmNaive(
          transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: ap.baseAddress! + i * m * k,
          lda: k, b: b, ldb: n, beta: 0, c: &slow, ldc: n)
      }
      for j in 0..<(m * n) { #expect(abs(fast[i * m * n + j] - slow[j]) <= 1e-5) }
    }
  }

  /// Split over workers (each block its own single-threaded BLAS call): by columns when the left
  /// operand is the smaller, by rows otherwise, with every transpose and padded strides.
  @Test(arguments: [(40, 300, 100), (300, 40, 100), (33, 1000, 40), (1000, 17, 70)])
  func splitGemmMatchesNaive(m: Int, n: Int, k: Int) {
    kernelModeLock.lock()
    defer { kernelModeLock.unlock() }
    let saved = (ParallelKernels.splitsGemm, ParallelKernels.threads)
    ParallelKernels.splitsGemm = true
    ParallelKernels.threads = 3
    defer { (ParallelKernels.splitsGemm, ParallelKernels.threads) = saved }
    for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
      let lda = (ta ? m : k) + 3
      let ldb = (tb ? k : n) + 2
      let ldc = n + 5
      let a = randomFloats((ta ? k : m) * lda, seed: 21)
      let b = randomFloats((tb ? n : k) * ldb, seed: 22)
      let c0 = randomFloats(m * ldc, seed: 23)
      var fast = c0
      var slow = c0
      GemmKernel.gemm(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb,
        beta: 0.3, c: &fast, ldc: ldc)
      GemmKernel.gemmNaive(
        transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 0.7, a: a, lda: lda, b: b, ldb: ldb,
        beta: 0.3, c: &slow, ldc: ldc)
      let worst = zip(fast, slow).map { abs($0 - $1) - 1e-4 * abs($1) }.max() ?? 0
      #expect(worst <= 1e-4, "m \(m) n \(n) k \(k) ta \(ta) tb \(tb)")
      // Padding columns of C (beyond n) are untouched.
      for i in 0..<m { for j in n..<ldc { #expect(fast[i * ldc + j] == c0[i * ldc + j]) } }
    }
  }
}
