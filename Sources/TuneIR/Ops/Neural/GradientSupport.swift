import CBLAS
import TuneTensor

/// Matrix products for gradient rules, through `GemmKernel.gemm` (`cblas_sgemm`).
enum GradientSupport {
  /// C[m,n] = op(A)·op(B) for row-major float buffers, where op transposes when asked.
  /// `a` is [m,k] (or [k,m] when transA), `b` is [k,n] (or [n,k] when transB).
  static func matmul(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int, transA: Bool, transB: Bool, alpha: Float = 1, beta: Float = 0
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 { c.update(repeating: 0, count: m * n) }
      return
    }
    // Through GemmKernel, which spreads a large product over the workers when the CLI runs
    // OpenBLAS single-threaded inside them (ComputeThreads.set).
    GemmKernel.gemm(
      transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: transA ? m : k, b: b,
      ldb: transB ? k : n, beta: beta, c: c, ldc: n)
  }

  /// Σ over images and positions of ∂Y [N, C, positions...], per channel: the bias gradient of
  /// convolutions.
  static func channelSums(_ dy: Tensor, bias: Tensor) -> Tensor {
    let n = dy.shape[0]
    let c = dy.shape[1]
    let positions = dy.count / max(n * c, 1)
    var sums = [Float](repeating: 0, count: c)
    dy.withElements(as: Float.self) { g in
      for b in 0..<n {
        for ch in 0..<c {
          var s: Float = 0
          for i in 0..<positions { s += g[(b * c + ch) * positions + i] }
          sums[ch] += s
        }
      }
    }
    return Tensor(sums, shape: bias.shape)
  }

  static func float(_ t: Tensor?, _ name: String) throws -> Tensor {
    guard let t else { throw OpError("gradient needs input \(name)") }
    guard t.dtype == .float else { throw OpError("gradients are computed in float32; \(name) is \(t.dtype)") }
    return t
  }
}
