import Foundation
import TuneTensor

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Cached per-sample features (one row of `rowShape` floats per sample) with their labels, as a
/// ``BatchSource`` the head trains on.
///
/// Rows live in memory, or in a memory-mapped temporary file when they do not fit: the file is
/// created in `directory`, unlinked at once (so nothing is left behind, even after a crash) and
/// unmapped when the store is released. A row never written (a sample that could not be read)
/// is left out of its batches, as the data loader leaves out unreadable samples.
///
/// ```swift
/// let store = try FeatureStore(count: n, rowShape: [512], labels: labels, storage: .memory)
/// store.write(features, rows: batch.indices)      // features: [batch, 512]
/// let (x, y) = try store.batch([3, 1, 4])
/// ```
public final class FeatureStore: BatchSource, @unchecked Sendable {
  public enum Storage: Equatable, Sendable, CustomStringConvertible {
    case memory
    /// A memory-mapped temporary file in this directory.
    case disk(directory: String)
    public var description: String {
      switch self {
      case .memory: return "memory"
      case .disk: return "disk"
      }
    }
  }

  public let rowShape: [Int]
  public private(set) var labels: [Int]
  public let storage: Storage
  /// Floats per row.
  public let rowCount: Int
  /// Bytes the rows take.
  public let byteCount: Int
  private let base: UnsafeMutablePointer<Float>?
  private var present: [Bool]

  /// Bytes for `count` rows of `rowShape` floats.
  public static func bytes(count: Int, rowShape: [Int]) -> Int { count * rowShape.reduce(1, *) * MemoryLayout<Float>.stride }

  /// - Parameters:
  ///   - count: number of samples (rows).
  ///   - labels: the label of every sample.
  public init(count: Int, rowShape: [Int], labels: [Int], storage: Storage) throws {
    precondition(labels.count == count, "one label per row")
    self.rowShape = rowShape
    self.labels = labels
    self.storage = storage
    rowCount = rowShape.reduce(1, *)
    byteCount = Self.bytes(count: count, rowShape: rowShape)
    present = [Bool](repeating: false, count: count)
    guard byteCount > 0 else {
      base = nil
      return
    }
    switch storage {
    case .memory:
      base = .allocate(capacity: count * rowCount)
    case .disk(let directory):
      var template = Array((directory + "/onnx-tune-features-XXXXXX").utf8CString)
      let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
      guard fd >= 0 else { throw TrainingError("feature cache: cannot create a temporary file in \(directory): \(Self.errnoText())") }
      defer { close(fd) }
      let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
      unlink(path)
      // Reserve the blocks now, so a full disk is an error here rather than SIGBUS later.
      let reserved = posix_fallocate(fd, 0, off_t(byteCount))
      guard reserved == 0 else {
        throw TrainingError("feature cache: cannot reserve \(byteCount) bytes in \(directory): \(String(cString: strerror(reserved)))")
      }
      let p = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
      guard let p, p != UnsafeMutableRawPointer(bitPattern: -1) else {
        throw TrainingError("feature cache: cannot map \(byteCount) bytes of \(directory): \(Self.errnoText())")
      }
      base = p.bindMemory(to: Float.self, capacity: count * rowCount)
    }
  }

  deinit {
    guard let base else { return }
    switch storage {
    case .memory: base.deallocate()
    case .disk: munmap(UnsafeMutableRawPointer(base), byteCount)
    }
  }

  static func errnoText() -> String { String(cString: strerror(errno)) }

  public var count: Int { labels.count }
  /// Rows written so far.
  public var writtenCount: Int { present.lazy.filter { $0 }.count }

  /// Stores `features` (`[rows.count, rowShape...]`, float) as the rows `rows` (and their
  /// labels, when given).
  public func write(_ features: Tensor, rows: [Int], labels rowLabels: [Int]? = nil) throws {
    guard features.dtype == .float, features.count == rows.count * rowCount,
      features.shape.first == rows.count, Array(features.shape.dropFirst()) == rowShape
    else {
      throw TrainingError("feature cache: expected float features of shape \([rows.count] + rowShape), got \(features.dtype)\(features.shape)")
    }
    if let rowLabels {
      guard rowLabels.count == rows.count else { throw TrainingError("feature cache: \(rowLabels.count) labels for \(rows.count) rows") }
      for (r, y) in zip(rows, rowLabels) { labels[r] = y }
    }
    for r in rows { present[r] = true }
    guard let base else { return }
    features.withElements(as: Float.self) { f in
      for (k, r) in rows.enumerated() { (base + r * rowCount).update(from: f.baseAddress! + k * rowCount, count: rowCount) }
    }
  }

  /// The rows at `indices` that were written, stacked, and their labels.
  public func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    let kept = indices.filter { present[$0] }
    guard !kept.isEmpty else { throw TrainingError("every sample of a batch was unreadable") }
    var out = Tensor(uninitialized: .float, shape: [kept.count] + rowShape)
    if let base {
      out.withMutableElements(as: Float.self) { o in
        for (k, i) in kept.enumerated() { (o.baseAddress! + k * rowCount).update(from: base + i * rowCount, count: rowCount) }
      }
    }
    return (out, kept.map { labels[$0] })
  }
}
