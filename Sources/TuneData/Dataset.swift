import Foundation
import Synchronization
import TuneTensor

/// A labelled collection of samples that a ``BatchLoader`` reads by index.
///
/// Implementations: ``ImageFolderDataset`` (decodes lazily from disk), ``TensorDataset``
/// (`.npy`, `.npz`, CSV) and ``DatasetSubset`` (a split of either).
public protocol Dataset: Sendable {
  /// Number of samples.
  var count: Int { get }
  /// Class names; label `i` is `classNames[i]`.
  var classNames: [String] { get }
  /// Shape of one sample's features (without the batch axis).
  var sampleShape: [Int] { get }
  /// The label of every sample (used for stratified splits).
  var labels: [Int] { get }
  /// Writes sample `index` (`sampleShape` floats) into `destination`. With `augment`, image
  /// datasets apply their augmentation drawing from `generator`. Throws ``BadSampleError`` for
  /// an unreadable sample (the loader skips and counts it); other errors stop loading.
  func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws
  /// A name for sample `index` in reports (its path, or `row N`).
  func sampleName(at index: Int) -> String
}

extension Dataset {
  /// Elements in one sample.
  public var sampleElementCount: Int { sampleShape.reduce(1, *) }

  /// Number of samples per class.
  public var classCounts: [Int] {
    var counts = [Int](repeating: 0, count: classNames.count)
    for label in labels where label >= 0 && label < counts.count { counts[label] += 1 }
    return counts
  }
}

/// One batch: features as a float32 tensor `[n, sampleShape...]`, the labels and class names.
public struct Batch: Sendable {
  public var features: Tensor
  public var labels: [Int]
  public var classNames: [String]
  /// Dataset indices of the samples (bad samples are left out, so a batch can be short).
  public var indices: [Int]

  public init(features: Tensor, labels: [Int], classNames: [String], indices: [Int]) {
    self.features = features
    self.labels = labels
    self.classNames = classNames
    self.indices = indices
  }

  public var count: Int { labels.count }
}

/// Counts samples that could not be read, keeping the first few paths and reasons.
/// Thread-safe: loader threads record into it while training reads it.
public final class BadDataReport: Sendable {
  private struct State {
    var seen: Set<String> = []
    var first: [BadSampleError] = []
  }
  private let state = Mutex(State())
  /// How many paths (with reasons) the report keeps.
  public let keep: Int
  /// Called once per bad path, when it is first recorded (e.g. to print a warning at once),
  /// on the thread that recorded it.
  public let onFirstSight: (@Sendable (BadSampleError) -> Void)?

  public init(keep: Int = 5, onFirstSight: (@Sendable (BadSampleError) -> Void)? = nil) {
    self.keep = keep
    self.onFirstSight = onFirstSight
  }

  /// Records a bad sample (a path counts once, however many epochs meet it).
  public func record(_ error: BadSampleError) {
    let new = state.withLock { s in
      let inserted = s.seen.insert(error.path).inserted
      if inserted, s.first.count < keep { s.first.append(error) }
      return inserted
    }
    if new { onFirstSight?(error) }
  }

  /// Every bad path recorded.
  public var paths: Set<String> { state.withLock { $0.seen } }

  /// Number of distinct bad samples.
  public var count: Int { state.withLock { $0.seen.count } }

  /// The first few bad samples with their reasons.
  public var examples: [BadSampleError] { state.withLock { $0.first } }

  /// `skipped 2 unreadable files: a.jpg (…), b.png (…)`, or nil when nothing was skipped.
  public var summary: String? {
    let (n, first) = state.withLock { ($0.seen.count, $0.first) }
    guard n > 0 else { return nil }
    var text = "skipped \(n) unreadable file\(n == 1 ? "" : "s"): "
    text += first.map { "\($0.path) (\($0.reason))" }.joined(separator: ", ")
    if n > first.count { text += ", and \(n - first.count) more" }
    return text
  }
}

/// Some samples of a dataset, by index (a training or validation split).
public struct DatasetSubset<Base: Dataset>: Dataset {
  public let base: Base
  public let indices: [Int]

  public init(_ base: Base, indices: [Int]) {
    self.base = base
    self.indices = indices
  }

  public var count: Int { indices.count }
  public var classNames: [String] { base.classNames }
  public var sampleShape: [Int] { base.sampleShape }
  public var labels: [Int] {
    let all = base.labels
    return indices.map { all[$0] }
  }

  public func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws {
    try base.loadSample(at: indices[index], into: destination, augment: augment, using: &generator)
  }

  public func sampleName(at index: Int) -> String { base.sampleName(at: indices[index]) }
}

/// Label checks shared by the datasets.
enum LabelCheck {
  /// Throws when a label is outside `0..<classCount` (naming the first offender) or when there
  /// are fewer than two classes.
  static func validate(_ labels: [Int], classCount: Int, source: String, name: (Int) -> String) throws {
    guard classCount >= 2 else {
      throw DataError("\(source): found \(classCount) class\(classCount == 1 ? "" : "es"); a classifier needs at least 2")
    }
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
      throw DataError(
        "\(source): label \(labels[bad]) of \(name(bad)) is outside the class range 0..<\(classCount)")
    }
  }
}
