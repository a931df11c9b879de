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
}
