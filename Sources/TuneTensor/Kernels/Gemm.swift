import CBLAS

/// Row-major single-precision matrix products: `C = alpha * op(A) * op(B) + beta * C`.
///
/// `gemm` calls OpenBLAS `cblas_sgemm`; `gemmNaive` is the reference twin tests compare it
/// with (llm.c's `matmul_forward_naive`). `lda`, `ldb`, `ldc` are row strides in elements.
public enum GemmKernel {
  /// `C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C`, through `cblas_sgemm`.
  @inlinable
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      // BLAS leaves C untouched only when beta == 1; be explicit for the empty product.
      for i in 0..<m {
        let row = c + i * ldc
        if beta == 0 {
          row.update(repeating: 0, count: n)
        } else if beta != 1 {
          for j in 0..<n { row[j] *= beta }
        }
      }
      return
    }
    let workers = ParallelKernels.splitsGemm ? ParallelKernels.threads : 1
    if workers > 1 && m * n * k >= 1 << 20 && (n >= 32 * workers || m >= 16 * workers) {
      // Split the product over our workers, each calling the single-threaded BLAS on its own
      // block of C, duplicating the packing of the smaller operand: columns when A is the
      // smaller one (or C is too short to split by rows), rows otherwise.
      let byColumns = m >= 16 * workers ? (m <= n && n >= 32 * workers) : true
      let total = byColumns ? n : m
      let align = byColumns ? 16 : 8
      let parts = min(workers, total / align)
      ParallelKernels.run(parts, cost: 1 << 20) { t in
        let lo = (total * t / parts) / align * align
        let hi = t == parts - 1 ? total : (total * (t + 1) / parts) / align * align
        if hi <= lo { return }
        if byColumns {
          sgemm(
            transposeA, transposeB, m, hi - lo, k, alpha, a, lda, transposeB ? b + lo * ldb : b + lo, ldb, beta,
            c + lo, ldc)
        } else {
          sgemm(
            transposeA, transposeB, hi - lo, n, k, alpha, transposeA ? a + lo : a + lo * lda, lda, b, ldb, beta,
            c + lo * ldc, ldc)
        }
      }
      return
    }
    sgemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
  }

  @inlinable @inline(__always)
  static func sgemm(
    _ transposeA: Bool, _ transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
      blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb), beta, c,
      blasint(ldc))
  }

  /// The reference twin of `gemm`: a triple loop accumulating in Double.
  public static func gemmNaive(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in 0..<m {
      for j in 0..<n {
        var sum = 0.0
        for p in 0..<k {
          let av = transposeA ? a[p * lda + i] : a[i * lda + p]
          let bv = transposeB ? b[j * ldb + p] : b[p * ldb + j]
          sum += Double(av) * Double(bv)
        }
        let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
        c[i * ldc + j] = Float(Double(alpha) * sum + old)
      }
    }
  }

  /// Batched `C[b] = A[b] · B[b]` for row-major, densely packed matrices, where batch `b` reads
  /// A at `aOffsets[b]` and B at `bOffsets[b]` (broadcast batches repeat an offset) and writes
  /// C at `b * m * n`.
  public static func batchedMatMul(
    a: UnsafePointer<Float>, aOffsets: [Int], b: UnsafePointer<Float>, bOffsets: [Int],
    c: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int
  ) {
    precondition(aOffsets.count == bOffsets.count)
    let batches = aOffsets.count
    if batches == 0 { return }
    // Stacked A with a shared B is one tall product: (batches·M)×K · K×N.
    if m > 0, bOffsets.allSatisfy({ $0 == bOffsets[0] }),
      aOffsets.enumerated().allSatisfy({ $0.element == aOffsets[0] + $0.offset * m * k })
    {
      gemm(
        transposeA: false, transposeB: false, m: batches * m, n: n, k: k, alpha: 1,
        a: a + aOffsets[0], lda: k, b: b + bOffsets[0], ldb: n, beta: 0, c: c, ldc: n)
      return
    }
    for i in 0..<batches {
      gemm(
        transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a + aOffsets[i],
        lda: k, b: b + bOffsets[i], ldb: n, beta: 0, c: c + i * m * n, ldc: n)
    }
  }
}
