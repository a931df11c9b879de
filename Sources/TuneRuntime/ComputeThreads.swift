import CBLAS
import CKernels
import TuneTensor

/// The number of threads numeric kernels use. After `set`, every kernel splits its work over
/// one pool of `count` workers (`ParallelKernels`): GEMMs are split into blocks, each computed by
/// OpenBLAS on one thread. (OpenBLAS's own pool, left to itself, keeps its threads spinning after
/// each product, taking the cores from the im2col, pooling and elementwise work between them.)
/// Without `set`, OpenBLAS threads each product itself.
public enum ComputeThreads {
  /// Sets the thread count (at least 1). Call it at start-up, before any kernel runs. OpenBLAS
  /// is made single-threaded and its idle threads are stopped (they spin for ~0.1 s otherwise).
  /// On AMD Zen 4 it also switches OpenBLAS from its AVX-512 kernels to its AVX2 ones, which
  /// run our GEMM shapes ~13% faster there (unless `OPENBLAS_CORETYPE` names a kernel set).
  public static func set(_ count: Int) {
    _ = blasKernelChoice
    let n = max(1, min(count, 4096))
    openblas_set_num_threads(1)
    otk_blas_stop_idle_threads()
    ParallelKernels.threads = n
    ParallelKernels.splitsGemm = true
  }
  /// The number of workers kernels use.
  public static var count: Int { ParallelKernels.threads }
  /// Made once, before the first product: whether OpenBLAS was switched to its AVX2 kernels.
  static let blasKernelChoice: Bool = otk_blas_prefer_avx2_on_zen4() != 0
  /// OpenBLAS's own thread count (1 after `set`).
  public static var blasThreads: Int { Int(openblas_get_num_threads()) }
}

/// Process-wide allocator settings for numeric work.
public enum AllocatorTuning {
  /// Keeps freed activation memory in the process for the next allocation instead of handing
  /// every large block back to the kernel: by default glibc serves blocks above its mmap
  /// threshold with fresh mappings, so each op output of a large batch costs page faults and
  /// zeroing by the kernel. Raising the thresholds lets one run reuse the previous run's memory
  /// (peak memory is unchanged; the memory is returned at exit). Call once at start-up; a
  /// program embedding the library decides for itself.
  public static func keepFreedMemory() {
    _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
    _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
  }
}
