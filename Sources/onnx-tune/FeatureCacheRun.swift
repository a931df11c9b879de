import Foundation
import TuneData
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTrain

/// `finetune --cache-features`: when nothing before the feature tensor changes between epochs,
/// the backbone runs once over the training and validation samples and the head trains on the
/// cached features (in memory under the budget, else in a memory-mapped temporary file).
struct FeatureCacheRun {
  enum Mode: String, CaseIterable {
    case auto, memory, disk, off
  }

  /// Default `--cache-budget`: 2 GiB.
  static let defaultBudget = 2 << 30

  let split: BackboneSplit
  /// The full model the head was split from.
  let full: Model
  /// Trains the head model (its input is the feature tensor).
  let trainer: Trainer
  let train: FeatureStore
  let validation: FeatureStore?

  /// The trained full model: the head's weights put back into `full`.
  func trainedModel() -> Model { split.merge(trainedHead: trainer.trainedModel(), into: full) }

  /// Caches the features when allowed, printing one line that says whether the cache is used
  /// and why not; nil when it is not.
  static func prepare(
    mode: Mode, budget: Int, augment: Bool, model: Model, input: String, featureTensor: String, output: String,
    trainable: Set<String>, trainSet: any Dataset, valSet: (any Dataset)?, batchSize: Int, report: BadDataReport
  ) throws -> FeatureCacheRun? {
    func off(_ reason: String) -> FeatureCacheRun? {
      print("feature cache: off (\(reason))")
      return nil
    }
    if mode == .off { return off("--cache-features off") }
    if augment { return off("augmentation is on") }
    do {
      let started = Date()
      let split = try BackboneSplit(
        model: model, input: input, featureTensor: featureTensor, output: output, trainable: trainable)
      let trainer: Trainer
      do {
        trainer = try Trainer(model: split.head, trainable: trainable, input: featureTensor, output: output)
      } catch {
        throw FeatureCacheRefusal("the head cannot be trained on its own: \(error)")
      }
      // Optimized as the Trainer runs a frozen prefix (BatchNorm folded, Conv fused): the same
      // features as uncached training.
      let session = try InferenceSession(model: split.backbone, optimize: true)
      let total = trainSet.count + (valSet?.count ?? 0)
      var storage: FeatureStore.Storage?
      func makeStore(_ dataset: any Dataset, rowShape: [Int]) throws -> FeatureStore {
        if storage == nil {
          let bytes = FeatureStore.bytes(count: total, rowShape: rowShape)
          let disk = FeatureStore.Storage.disk(directory: temporaryDirectory)
          switch mode {
          case .memory: storage = .memory
          case .disk: storage = disk
          default: storage = bytes <= budget ? .memory : disk
          }
        }
        return try FeatureStore(count: dataset.count, rowShape: rowShape, labels: dataset.labels, storage: storage!)
      }
      let trainStore = try extract(trainSet, session: session, split: split, batchSize: batchSize, report: report) {
        try makeStore(trainSet, rowShape: $0)
      }
      guard let trainStore else {
        throw CLIError(message: "finetune: no sample of the data set could be read (\(report.summary ?? "no details"))")
      }
      let validationStore = try valSet.map { v in
        let store = try makeStore(v, rowShape: trainStore.rowShape)
        _ = try extract(v, session: session, split: split, batchSize: batchSize, report: report) { _ in store }
        return store
      }
      let bytes = trainStore.byteCount + (validationStore?.byteCount ?? 0)
      var where_ = ""
      if case .disk(let dir) = trainStore.storage { where_ = ", a memory-mapped temporary file in \(dir)" }
      print(
        String(
          format: "feature cache: %@ (%d samples of %@ floats at '%@', %@%@; computed in %.2f s)",
          trainStore.storage.description, total, trainStore.rowShape.description, featureTensor, byteText(bytes), where_,
          Date().timeIntervalSince(started)))
      return FeatureCacheRun(split: split, full: model, trainer: trainer, train: trainStore, validation: validationStore)
    } catch let refusal as FeatureCacheRefusal {
      return off(refusal.reason)
    }
  }

  /// Runs the backbone over `dataset` in order, `batchSize` samples at a time (decoding on a
  /// background thread ahead of the backbone), into the store `makeStore` gives for the
  /// feature shape; nil when no sample could be read.
  static func extract(
    _ dataset: any Dataset, session: InferenceSession, split: BackboneSplit, batchSize: Int, report: BadDataReport,
    makeStore: ([Int]) throws -> FeatureStore
  ) throws -> FeatureStore? {
    guard dataset.count > 0 else { return nil }
    let loader = BatchLoader(dataset: dataset, batchSize: batchSize, prefetch: 2, workers: 1, badData: report)
    defer { loader.cancel() }
    var store: FeatureStore?
    // On a terminal, a count redrawn in place (cleared before the `feature cache:` line).
    let interactive = isatty(STDOUT_FILENO) != 0
    var lastDraw = Date()
    var done = 0
    defer { if interactive { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)) } }
    while let batch = try loader.next() {
      done += batch.count
      if interactive && Date().timeIntervalSince(lastDraw) > 0.2 {
        lastDraw = Date()
        FileHandle.standardOutput.write(Data("\rfeature cache: running the backbone, \(done)/\(dataset.count) samples\u{1B}[K".utf8))
      }
      guard let features = try session.run([split.input: batch.features])[split.featureTensor] else {
        throw FeatureCacheRefusal("the backbone did not compute '\(split.featureTensor)'")
      }
      guard features.dtype == .float, features.rank >= 1, features.shape[0] == batch.count else {
        throw FeatureCacheRefusal(
          "the feature tensor is \(features.dtype)\(features.shape), not float with one row per sample")
      }
      if store == nil { store = try makeStore(Array(features.shape.dropFirst())) }
      try store!.write(features, rows: batch.indices)
    }
    return store
  }

  static var temporaryDirectory: String {
    var dir = NSTemporaryDirectory()
    while dir.count > 1 && dir.hasSuffix("/") { dir.removeLast() }
    return dir
  }

  /// `512`, `64K`, `1.5M`, `2G`, `2GiB`, `500MB` (K, M, G binary; KB, MB, GB decimal) in bytes.
  static func parseBytes(_ text: String) -> Int? {
    let t = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [
      ("kib", 0x1p10), ("mib", 0x1p20), ("gib", 0x1p30), ("tib", 0x1p40), ("kb", 1e3), ("mb", 1e6), ("gb", 1e9),
      ("tb", 1e12), ("k", 0x1p10), ("m", 0x1p20), ("g", 0x1p30), ("t", 0x1p40), ("b", 1),
    ]
    var number = Substring(t)
    var scale = 1.0
    if let (suffix, s) = units.first(where: { t.hasSuffix($0.0) }) {
      number = t.dropLast(suffix.count)
      scale = s
    }
    guard let v = Double(number.trimmingCharacters(in: .whitespaces)), v >= 0, v * scale < 9e18 else { return nil }
    return Int(v * scale)
  }

  static func byteText(_ bytes: Int) -> String {
    let b = Double(bytes)
    if b >= 0x1p30 { return String(format: "%.2f GiB", b / 0x1p30) }
    if b >= 0x1p20 { return String(format: "%.1f MiB", b / 0x1p20) }
    if b >= 0x1p10 { return String(format: "%.1f KiB", b / 0x1p10) }
    return "\(bytes) B"
  }
}
