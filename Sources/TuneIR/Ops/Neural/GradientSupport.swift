import CBLAS
import TuneTensor

/// Matrix products for gradient rules, through `cblas_sgemm`.
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
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(transA ? m : k), b, Int32(transB ? k : n), beta, c, Int32(n))
  }

  static func float(_ t: Tensor?, _ name: String) throws -> Tensor {
    guard let t else { throw OpError("gradient needs input \(name)") }
    guard t.dtype == .float else { throw OpError("gradients are computed in float32; \(name) is \(t.dtype)") }
    return t
  }
}
