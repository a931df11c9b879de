import CBLAS
import TuneTensor

/// The number of threads numeric kernels use: OpenBLAS's thread pool and the kernels that
/// split their own work (`ParallelKernels`, e.g. im2col and depthwise convolution).
public enum ComputeThreads {
  /// Sets the thread count (at least 1). Call it at start-up, before any kernel runs.
  public static func set(_ count: Int) {
    let n = max(1, min(count, Int(Int32.max)))
    openblas_set_num_threads(Int32(n))
    ParallelKernels.threads = n
  }
  /// The current OpenBLAS thread count.
  public static var count: Int { Int(openblas_get_num_threads()) }
}
