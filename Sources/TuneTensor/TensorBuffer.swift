#if canImport(Glibc)
  import Glibc
#endif

/// Owned, 64-byte-aligned raw memory holding a tensor's elements, or a read-only view of
/// memory owned elsewhere (a memory-mapped external data file).
///
/// A buffer is a class so that tensors, initializers and the executor share one copy of the
/// weights; code that writes into a buffer must hold the only reference (see
/// `Tensor.makeUnique()`).
public final class TensorBuffer: @unchecked Sendable {
  public let byteCount: Int
  public let pointer: UnsafeMutableRawPointer
  private let release: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?
  /// True when the buffer allocated its memory itself (false for wrapped memory, which may be
  /// a read-only file mapping): only such buffers are ever written in place by the executor.
  public let ownsMemory: Bool

  /// Allocates `byteCount` zeroed bytes.
  public init(zeroedByteCount byteCount: Int) {
    self.byteCount = byteCount
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    p.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    self.pointer = p
    self.release = { p, _ in p.deallocate() }
    self.ownsMemory = true
  }

  /// Allocates `byteCount` uninitialized bytes (the caller fills every byte).
  public init(uninitializedByteCount byteCount: Int) {
    self.byteCount = byteCount
    let p = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    self.pointer = p
    self.release = { p, _ in p.deallocate() }
    self.ownsMemory = true
  }

  /// Copies `bytes`.
  public convenience init(copying bytes: UnsafeRawBufferPointer) {
    self.init(uninitializedByteCount: bytes.count)
    if bytes.count > 0 { pointer.copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
  }

  /// Wraps memory owned elsewhere; `release` runs when the last tensor using it goes away.
  public init(
    wrapping pointer: UnsafeMutableRawPointer, byteCount: Int,
    release: (@Sendable (UnsafeMutableRawPointer, Int) -> Void)?
  ) {
    self.pointer = pointer
    self.byteCount = byteCount
    self.release = release
    self.ownsMemory = false
  }

  deinit { release?(pointer, byteCount) }

  public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: pointer, count: byteCount) }
}
