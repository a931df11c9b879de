import Foundation
import TuneTensor

/// Reads a dataset in batches on background threads, ahead of training, with bounded memory.
///
/// At most `prefetch` batches are being built or waiting in memory ahead of the consumer, so
/// an image folder larger than memory streams from disk. Batches come out in order and are
/// the same for the same `seed` and `epoch` whatever `workers` is: each sample's augmentation
/// draws from its own generator seeded by `(seed, epoch, index)`.
///
/// Samples that cannot be read are left out of their batch and recorded in `badData`.
///
/// ```swift
/// let loader = BatchLoader(dataset: train, batchSize: 32, shuffle: true, augment: true,
///                          seed: 42, epoch: epoch)
/// while let batch = try loader.next() { ... }
/// if let note = loader.badData.summary { print(note) }
/// ```
public final class BatchLoader: Sendable {
  public let batchSize: Int
  /// The sample order of this epoch (shuffled with `seed` and `epoch` when asked).
  public let order: [Int]
  /// Bad samples met so far (pass one report to every epoch's loader to collect a run's total).
  public let badData: BadDataReport
  private let prefetcher: Prefetcher<Batch?>

  /// Number of batches this epoch (the last may be short; bad samples shorten batches further).
  public var batchCount: Int { prefetcher.count }

  /// Starts the workers.
  /// - Parameters:
  ///   - dataset: any ``Dataset``.
  ///   - batchSize: samples per batch.
  ///   - shuffle: shuffle the order with `seed` and `epoch`.
  ///   - augment: apply the dataset's augmentation (training only).
  ///   - seed, epoch: reproducible shuffling and augmentation.
  ///   - dropLast: leave out a final short batch.
  ///   - prefetch: batches built ahead of the consumer (the memory bound); at least 1. More
  ///     `workers` than `prefetch` cannot all be busy.
  ///   - workers: background threads decoding in parallel.
  ///   - badData: where to count unreadable samples.
  public init(
    dataset: any Dataset, batchSize: Int, shuffle: Bool = false, augment: Bool = false,
    seed: UInt64 = 0, epoch: Int = 0, dropLast: Bool = false, prefetch: Int = 2, workers: Int = 1,
    badData: BadDataReport = BadDataReport()
  ) {
    precondition(batchSize > 0, "batchSize must be positive")
    var order = Array(0..<dataset.count)
    if shuffle {
      var g = SeededGenerator(seed: seed, stream: UInt64(epoch), index: 0xFFFF_FFFF)
      order.shuffle(using: &g)
    }
    let full = order.count / batchSize
    let batches = dropLast || order.count % batchSize == 0 ? full : full + 1
    self.batchSize = batchSize
    self.order = order
    self.badData = badData
    let state = LoaderState(
      dataset: dataset, order: order, batchSize: batchSize, augment: augment, seed: seed, epoch: UInt64(epoch),
      badData: badData)
    self.prefetcher = Prefetcher(count: batches, prefetch: prefetch, workers: workers, name: "TuneData.BatchLoader") {
      try state.build($0)
    }
  }

  /// The next batch, or nil at the end of the epoch. Rethrows a dataset error other than a
  /// bad sample (which is skipped).
  public func next() throws -> Batch? {
    while let batch = try prefetcher.next() {
      if let batch { return batch }  // nil: every sample of that batch was bad
    }
    return nil
  }

  /// Stops the workers early (also done when the loader is released).
  public func cancel() { prefetcher.cancel() }
}

/// What a loader's workers read (immutable).
private final class LoaderState: Sendable {
  let dataset: any Dataset
  let order: [Int]
  let batchSize: Int
  let augment: Bool
  let seed: UInt64
  let epoch: UInt64
  let badData: BadDataReport
  let labels: [Int]

  init(
    dataset: any Dataset, order: [Int], batchSize: Int, augment: Bool, seed: UInt64, epoch: UInt64,
    badData: BadDataReport
  ) {
    self.dataset = dataset
    self.order = order
    self.batchSize = batchSize
    self.augment = augment
    self.seed = seed
    self.epoch = epoch
    self.badData = badData
    self.labels = dataset.labels
  }

  /// Builds batch `k`; nil when all its samples are bad.
  func build(_ k: Int) throws -> Batch? {
    let indices = Array(order[(k * batchSize)..<min((k + 1) * batchSize, order.count)])
    let per = dataset.sampleElementCount
    var features = [Float](repeating: 0, count: indices.count * per)
    var kept: [Int] = []
    kept.reserveCapacity(indices.count)
    try features.withUnsafeMutableBufferPointer { buffer in
      for index in indices {
        let slot = UnsafeMutableBufferPointer(rebasing: buffer[(kept.count * per)..<((kept.count + 1) * per)])
        var generator = SeededGenerator(seed: seed, stream: epoch, index: UInt64(index))
        do {
          try dataset.loadSample(at: index, into: slot, augment: augment, using: &generator)
          kept.append(index)
        } catch let bad as BadSampleError {
          badData.record(bad)
        }
      }
    }
    if kept.isEmpty { return nil }
    features.removeLast((indices.count - kept.count) * per)
    return Batch(
      features: Tensor(features, shape: [kept.count] + dataset.sampleShape),
      labels: kept.map { labels[$0] }, classNames: dataset.classNames, indices: kept)
  }
}
