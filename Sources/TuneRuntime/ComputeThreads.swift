import CBLAS

/// The number of threads numeric kernels use (today: OpenBLAS's thread pool).
public enum ComputeThreads {
  /// Sets the thread count (at least 1).
  public static func set(_ count: Int) {
    openblas_set_num_threads(Int32(max(1, min(count, Int(Int32.max)))))
  }
  /// The current thread count.
  public static var count: Int { Int(openblas_get_num_threads()) }
}
