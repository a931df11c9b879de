import TuneData
import TuneIR
import TuneONNX
import TuneTensor
import TuneTrain

/// Feeds a TuneData `Dataset` to the trainer. Unreadable samples are skipped (the batch comes
/// out shorter) and counted in `report`; augmentation, when the dataset has it, is seeded by
/// the sample index and how many batches the source has given, so runs repeat exactly. The
/// trainer asks the training source for exactly `batchesPerEpoch` batches per epoch, so a run
/// resumed after `epoch` epochs sets `draws = epoch × batchesPerEpoch` and draws what an
/// uninterrupted run would.
final class DatasetBatchSource: BatchSource {
  let dataset: any Dataset
  let augment: Bool
  let seed: UInt64
  let report: BadDataReport
  /// Batches given so far (the augmentation stream).
  var draws: UInt64 = 0
  /// The training source passes the `batch` fault-injection point (see `FaultInjection`).
  let isTraining: Bool

  init(_ dataset: any Dataset, augment: Bool, seed: UInt64, report: BadDataReport, isTraining: Bool = false) {
    self.dataset = dataset
    self.augment = augment
    self.seed = seed
    self.report = report
    self.isTraining = isTraining
  }

  var count: Int { dataset.count }

  /// Samples found unreadable (not decoded again).
  private(set) var bad = Set<Int>()

  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    let shape = dataset.sampleShape
    let size = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: indices.count * size)
    var labels: [Int] = []
    var kept = 0
    if isTraining { FaultInjection.reach("batch") }
    draws &+= 1
    try values.withUnsafeMutableBufferPointer { buffer in
      func load(_ index: Int) throws -> Bool {
        guard !bad.contains(index) else { return false }
        var generator = SeededGenerator(seed: seed, stream: draws, index: UInt64(index))
        let destination = UnsafeMutableBufferPointer(rebasing: buffer[(kept * size)..<((kept + 1) * size)])
        do {
          try dataset.loadSample(at: index, into: destination, augment: augment, using: &generator)
          labels.append(dataset.labels[index])
          kept += 1
          return true
        } catch let error as BadSampleError {
          bad.insert(index)
          report.record(error)  // (the report's owner warns of each new path)
          return false
        }
      }
      for index in indices { _ = try load(index) }
      // Every sample of the batch was unreadable: take the next readable one after it, so
      // training goes on (deterministically) rather than stop on an empty batch.
      if kept == 0, let last = indices.last {
        for k in 1..<max(dataset.count, 1) where try load((last + k) % dataset.count) { break }
      }
    }
    if kept == 0 { throw CLIError(message: "finetune: no sample of the data set could be read (\(report.summary ?? "no details"))") }
    return (Tensor(Array(values[..<(kept * size)]), shape: [kept] + shape), labels)
  }
}
