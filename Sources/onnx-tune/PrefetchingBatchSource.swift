import Foundation
import TuneData
import TuneIR
import TuneTensor
import TuneTrain

/// Overlaps loading with training: when the trainer announces a pass (`willRead`), a
/// background thread (TuneData's `Prefetcher`, the engine of `BatchLoader`) starts asking
/// `base` for the announced batches, in order, at most two ahead, while the trainer computes.
///
/// `base` is called exactly as a synchronous loop would call it — the same index lists, one
/// call at a time, in the same order — so its answers, augmentation streams and bad-data
/// counts included, are bit-identical to the synchronous path's. A request that is not the
/// announced next batch stops the prefetching (waiting for the call in flight) and is passed
/// to `base` directly, so answers never depend on the prediction.
final class PrefetchingBatchSource: BatchSource {
  typealias Item = (features: Tensor, labels: [Int])

  let base: BatchSource
  let prefetch: Int
  private var prefetcher: Prefetcher<Box>?
  private var pending: [[Int]] = []
  private var next = 0

  /// Moves the base source and its answers across the worker thread; the base is only ever
  /// used by one thread at a time (the worker, or the caller once the worker is idle).
  struct Box: @unchecked Sendable {
    var item: Item?
    var base: BatchSource?
  }

  /// `ONNX_TUNE_PREFETCH=0` turns prefetching off (the synchronous reference path).
  static var defaultPrefetch: Int {
    ProcessInfo.processInfo.environment["ONNX_TUNE_PREFETCH"] == "0" ? 0 : 2
  }

  init(_ base: BatchSource, prefetch: Int = PrefetchingBatchSource.defaultPrefetch) {
    self.base = base
    self.prefetch = prefetch
  }

  deinit { stop() }

  var count: Int { base.count }

  func willRead(order: [Int], batchSize: Int, epoch: Int?) {
    stop()
    base.willRead(order: order, batchSize: batchSize, epoch: epoch)
    pending = stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, order.count)]) }
    next = 0
    guard prefetch > 0, !pending.isEmpty else { return }
    let source = Box(base: base)
    let batches = pending
    prefetcher = Prefetcher(count: batches.count, prefetch: prefetch, workers: 1, name: "onnx-tune.prefetch") { k in
      Box(item: try source.base!.batch(batches[k]))
    }
  }

  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    if let prefetcher, next < pending.count, pending[next] == indices {
      next += 1
      if let box = try prefetcher.next(), let item = box.item { return item }
    }
    stop()
    return try base.batch(indices)
  }

  /// Cancels the prefetching and waits for a call in flight to finish.
  private func stop() {
    prefetcher?.cancel()
    prefetcher?.waitUntilIdle()
    prefetcher = nil
  }
}
