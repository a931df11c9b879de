import TuneData
import TuneIR
import TuneTensor
import TuneTrain

/// Feeds a TuneData `Dataset` to the trainer through a prefetching `BatchLoader`: when the
/// trainer announces a pass (`willRead`), a background thread starts decoding (and augmenting)
/// its batches while the previous ones train. Requests that are not the announced next batch
/// are loaded synchronously, so answers never depend on the prediction.
///
/// Augmentation draws from a generator seeded by `(seed, epoch, sample index)` on both paths, so
/// prefetched and synchronous batches are bit-identical, and a resumed run sees the same
/// augmentations as an uninterrupted one. Unreadable samples are left out of their batch and
/// counted in `report`.
final class LoaderBatchSource: BatchSource {
  let dataset: any Dataset
  let augment: Bool
  let seed: UInt64
  let report: BadDataReport
  /// False: always load on the calling thread (the reference the loader is tested against).
  let prefetch: Bool
  private var loader: BatchLoader?
  private var pending: [[Int]] = []
  private var next = 0
  private var epoch: UInt64 = 0

  init(_ dataset: any Dataset, augment: Bool, seed: UInt64, report: BadDataReport, prefetch: Bool = true) {
    self.dataset = dataset
    self.augment = augment
    self.seed = seed
    self.report = report
    self.prefetch = prefetch
  }

  deinit { loader?.cancel() }

  var count: Int { dataset.count }

  func willRead(order: [Int], batchSize: Int, epoch: Int?) {
    loader?.cancel()
    loader = nil
    self.epoch = UInt64(epoch ?? 0)
    pending = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    next = 0
    guard prefetch, !order.isEmpty else { return }
    loader = BatchLoader(
      dataset: dataset, batchSize: batchSize, augment: augment, seed: seed, epoch: epoch ?? 0, prefetch: 2, workers: 1,
      badData: report, order: order)
  }

  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    if let loader, next < pending.count, pending[next] == indices {
      next += 1
      // The loader skips a batch whose samples are all unreadable: then this one was.
      guard let b = try loader.next(), Set(b.indices).isSubset(of: indices) else { throw allUnreadable() }
      return (b.features, b.labels)
    }
    loader?.cancel()
    loader = nil
    return try load(indices)
  }

  func allUnreadable() -> CLIError {
    CLIError(message: "finetune: every sample of a batch was unreadable (\(report.summary ?? "no details"))")
  }

  /// The synchronous path: the same samples, seeds and layout as `BatchLoader`.
  func load(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    let shape = dataset.sampleShape
    let size = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: indices.count * size)
    var labels: [Int] = []
    var kept = 0
    try values.withUnsafeMutableBufferPointer { buffer in
      for index in indices {
        var generator = SeededGenerator(seed: seed, stream: epoch, index: UInt64(index))
        let destination = UnsafeMutableBufferPointer(rebasing: buffer[(kept * size)..<((kept + 1) * size)])
        do {
          try dataset.loadSample(at: index, into: destination, augment: augment, using: &generator)
          labels.append(dataset.labels[index])
          kept += 1
        } catch let bad as BadSampleError {
          report.record(bad)
        }
      }
    }
    if kept == 0 { throw allUnreadable() }
    values.removeLast((indices.count - kept) * size)
    return (Tensor(values, shape: [kept] + shape), labels)
  }
}
