import TuneData
import TuneIR
import TuneTensor
import TuneTrain

/// Feeds a TuneData `Dataset` to the trainer. Unreadable samples are skipped (the batch comes
/// out shorter) and counted in `report`; augmentation, when the dataset has it, is seeded by
/// the sample index and how many times the source has been read, so runs repeat exactly.
final class DatasetBatchSource: BatchSource {
  let dataset: any Dataset
  let augment: Bool
  let seed: UInt64
  let report: BadDataReport
  private var draws: UInt64 = 0

  init(_ dataset: any Dataset, augment: Bool, seed: UInt64, report: BadDataReport) {
    self.dataset = dataset
    self.augment = augment
    self.seed = seed
    self.report = report
  }

  var count: Int { dataset.count }

  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    let shape = dataset.sampleShape
    let size = shape.reduce(1, *)
    var values = [Float](repeating: 0, count: indices.count * size)
    var labels: [Int] = []
    var kept = 0
    draws &+= 1
    try values.withUnsafeMutableBufferPointer { buffer in
      for index in indices {
        var generator = SeededGenerator(seed: seed, stream: draws, index: UInt64(index))
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
    if kept == 0 { throw CLIError(message: "finetune: every sample of a batch was unreadable (\(report.summary ?? "no details"))") }
    return (Tensor(Array(values[..<(kept * size)]), shape: [kept] + shape), labels)
  }
}
