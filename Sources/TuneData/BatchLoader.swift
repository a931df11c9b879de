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
  private let state: LoaderState

  /// Number of batches this epoch (the last may be short; bad samples shorten batches further).
  public var batchCount: Int { state.batchCount }

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
  ///   - order: visit these sample indices in this order instead (`shuffle` is then ignored),
  ///     e.g. the order a trainer chose.
  public init(
    dataset: any Dataset, batchSize: Int, shuffle: Bool = false, augment: Bool = false,
    seed: UInt64 = 0, epoch: Int = 0, dropLast: Bool = false, prefetch: Int = 2, workers: Int = 1,
    badData: BadDataReport = BadDataReport(), order given: [Int]? = nil
  ) {
    precondition(batchSize > 0, "batchSize must be positive")
    var order = given ?? Array(0..<dataset.count)
    if shuffle && given == nil {
      var g = SeededGenerator(seed: seed, stream: UInt64(epoch), index: 0xFFFF_FFFF)
      order.shuffle(using: &g)
    }
    let full = order.count / batchSize
    let batches = dropLast || order.count % batchSize == 0 ? full : full + 1
    self.batchSize = batchSize
    self.order = order
    self.badData = badData
    self.state = LoaderState(
      dataset: dataset, order: order, batchSize: batchSize, batchCount: batches, augment: augment,
      seed: seed, epoch: UInt64(epoch), prefetch: max(1, prefetch), badData: badData)
    for _ in 0..<max(1, min(workers, batches)) {
      let state = self.state
      let thread = Thread { state.work() }
      thread.name = "TuneData.BatchLoader"
      thread.start()
    }
  }

  deinit { state.cancel() }

  /// The next batch, or nil at the end of the epoch. Rethrows a dataset error other than a
  /// bad sample (which is skipped).
  public func next() throws -> Batch? { try state.next() }

  /// Stops the workers early (also done when the loader is released).
  public func cancel() { state.cancel() }
}

/// Shared between the loader and its threads; all mutable fields are guarded by `condition`.
private final class LoaderState: @unchecked Sendable {
  let dataset: any Dataset
  let order: [Int]
  let batchSize: Int
  let batchCount: Int
  let augment: Bool
  let seed: UInt64
  let epoch: UInt64
  let prefetch: Int
  let badData: BadDataReport
  let labels: [Int]

  let condition = NSCondition()
  var nextToBuild = 0
  var nextToDeliver = 0
  var finished: [Int: Result<Batch?, any Error>] = [:]
  var cancelled = false

  init(
    dataset: any Dataset, order: [Int], batchSize: Int, batchCount: Int, augment: Bool, seed: UInt64,
    epoch: UInt64, prefetch: Int, badData: BadDataReport
  ) {
    self.dataset = dataset
    self.order = order
    self.batchSize = batchSize
    self.batchCount = batchCount
    self.augment = augment
    self.seed = seed
    self.epoch = epoch
    self.prefetch = prefetch
    self.badData = badData
    self.labels = dataset.labels
  }

  func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }

  func work() {
    while true {
      condition.lock()
      while !cancelled && nextToBuild < batchCount && nextToBuild >= nextToDeliver + prefetch {
        condition.wait()
      }
      if cancelled || nextToBuild >= batchCount {
        condition.unlock()
        return
      }
      let k = nextToBuild
      nextToBuild += 1
      condition.unlock()

      let result: Result<Batch?, any Error> = Result { try build(k) }
      condition.lock()
      finished[k] = result
      condition.broadcast()
      condition.unlock()
    }
  }

  func next() throws -> Batch? {
    while true {
      condition.lock()
      if nextToDeliver >= batchCount || cancelled {
        condition.unlock()
        return nil
      }
      while finished[nextToDeliver] == nil && !cancelled { condition.wait() }
      guard let result = finished.removeValue(forKey: nextToDeliver) else {
        condition.unlock()
        return nil
      }
      nextToDeliver += 1
      condition.broadcast()
      condition.unlock()
      switch result {
      case .success(let batch?): return batch
      case .success(nil): continue  // every sample of this batch was bad
      case .failure(let error):
        cancel()
        throw error
      }
    }
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
