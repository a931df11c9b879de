import Foundation
import Testing
import TuneTensor

@testable import TuneData

@Suite struct ImageFolderDatasetTests {
  let preprocessing = ImagePreprocessing(height: 6, width: 8, layout: .nchw, channels: 3)

  @Test func classesFilesAndBadData() throws {
    let root = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Fixtures.imageFolder(
      [
        "dog": ["rgb.jpg", "truncated.jpg", "gray.png"],
        "cat": ["rgb.png", "palette.png", "not-an-image.jpg", "rgba.png"],
        "zebra": ["gray16.png", "exif6.jpg", "truncated.png"],
      ], at: root)
    try "notes".write(to: root.appendingPathComponent("cat/readme.txt"), atomically: true, encoding: .utf8)
    let data = try ImageFolderDataset(directory: root.path, preprocessing: preprocessing)
    #expect(data.classNames == ["cat", "dog", "zebra"])
    #expect(data.count == 10)  // readme.txt not listed
    #expect(data.classCounts == [4, 3, 3])
    #expect(data.sampleShape == [3, 6, 8])

    let report = BadDataReport(keep: 2)
    let loader = BatchLoader(dataset: data, batchSize: 4, workers: 2, badData: report)
    var labels: [Int] = []
    while let batch = try loader.next() {
      #expect(batch.features.shape == [batch.count, 3, 6, 8])
      #expect(batch.classNames == data.classNames)
      labels += batch.labels
    }
    #expect(labels == [0, 0, 0, 1, 1, 2, 2])
    #expect(report.count == 3)
    #expect(report.examples.count == 2)
    let summary = try #require(report.summary)
    #expect(summary.hasPrefix("skipped 3 unreadable files: "))
    #expect(summary.hasSuffix("and 1 more"))
  }

  @Test func folderErrors() throws {
    let root = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Fixtures.imageFolder(["only": ["rgb.png"]], at: root)
    #expect {
      try ImageFolderDataset(directory: root.path, preprocessing: preprocessing)
    } throws: { error in
      (error as? DataError)?.message.contains("found 1 class folder (only); a classifier needs at least 2") == true
    }
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("empty"), withIntermediateDirectories: true)
    #expect {
      try ImageFolderDataset(directory: root.path, preprocessing: preprocessing)
    } throws: { error in
      (error as? DataError)?.message.contains("class folder 'empty' has no images") == true
    }
    #expect(throws: DataError.self) {
      try ImageFolderDataset(directory: root.appendingPathComponent("nope").path, preprocessing: preprocessing)
    }
  }

  @Test func separateValidationFolderUsesTrainingClasses() throws {
    let root = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Fixtures.imageFolder(["b": ["rgb.png"]], at: root.appendingPathComponent("val"))
    let validation = try ImageFolderDataset(
      directory: root.appendingPathComponent("val").path, preprocessing: preprocessing, classNames: ["a", "b", "c"])
    #expect(validation.labels == [1])
    #expect(throws: DataError.self) {
      try ImageFolderDataset(
        directory: root.appendingPathComponent("val").path, preprocessing: preprocessing, classNames: ["x", "y"])
    }
  }

  @Test func augmentationIsSeededAndOnlyWhenAsked() throws {
    let root = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: root) }
    try Fixtures.imageFolder(["a": ["rgb.jpg", "rgb.png"], "b": ["gray.png", "rgba.png"]], at: root)
    let data = try ImageFolderDataset(directory: root.path, preprocessing: preprocessing, augmentation: .standard)
    func epoch(_ e: Int, augment: Bool, workers: Int) throws -> [Float] {
      let loader = BatchLoader(
        dataset: data, batchSize: 3, shuffle: true, augment: augment, seed: 11, epoch: e, workers: workers)
      var out: [Float] = []
      while let batch = try loader.next() { out += batch.features.elements(as: Float.self) }
      return out
    }
    let a = try epoch(0, augment: true, workers: 1)
    #expect(try epoch(0, augment: true, workers: 2) == a)
    #expect(try epoch(1, augment: true, workers: 1) != a)
    let plain = try epoch(0, augment: false, workers: 1)
    #expect(plain != a)
    #expect(try epoch(0, augment: false, workers: 2) == plain)
  }
}

@Suite struct SplitAndLoaderTests {
  @Test func stratifiedAndReproducible() throws {
    let labels = Array(repeating: 0, count: 50) + Array(repeating: 1, count: 30) + Array(repeating: 2, count: 20)
    let split = try DatasetSplit(labels: labels, classCount: 3, validationFraction: 0.2, seed: 42)
    #expect(split == (try DatasetSplit(labels: labels, classCount: 3, validationFraction: 0.2, seed: 42)))
    #expect(split != (try DatasetSplit(labels: labels, classCount: 3, validationFraction: 0.2, seed: 43)))
    let perClass = (0..<3).map { c in split.validation.filter { labels[$0] == c }.count }
    #expect(perClass == [10, 6, 4])
    #expect(Set(split.training).isDisjoint(with: split.validation))
    #expect(split.training.count + split.validation.count == labels.count)
    // A tiny class still gets one validation sample, and keeps one for training.
    let small = try DatasetSplit(labels: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1], classCount: 2, validationFraction: 0.1, seed: 1)
    #expect(small.validation.filter { $0 >= 8 }.count == 1)
    #expect(throws: DataError.self) { try DatasetSplit(labels: [0, 3], classCount: 2, validationFraction: 0.5, seed: 1) }
  }

  @Test func loaderOrderShuffleAndBatches() throws {
    let n = 23
    let x = NumPyArray(floats: (0..<n).flatMap { [Float($0), Float(-$0)] }, shape: [n, 2])
    let data = try TensorDataset(features: x, labels: (0..<n).map { $0 % 3 }, source: "test")
    let plain = BatchLoader(dataset: data, batchSize: 5, prefetch: 1)
    var sizes: [Int] = []
    var firsts: [Float] = []
    while let b = try plain.next() {
      sizes.append(b.count)
      firsts += b.features.elements(as: Float.self).enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
    }
    #expect(sizes == [5, 5, 5, 5, 3])
    #expect(firsts == (0..<n).map(Float.init))
    #expect(BatchLoader(dataset: data, batchSize: 5, dropLast: true).batchCount == 4)

    let s1 = BatchLoader(dataset: data, batchSize: 5, shuffle: true, seed: 3, epoch: 0)
    let s2 = BatchLoader(dataset: data, batchSize: 5, shuffle: true, seed: 3, epoch: 0, workers: 3)
    let s3 = BatchLoader(dataset: data, batchSize: 5, shuffle: true, seed: 3, epoch: 1)
    #expect(s1.order == s2.order && s1.order != s3.order && s1.order.sorted() == Array(0..<n))
    var labels1: [Int] = []
    var labels2: [Int] = []
    while let b = try s1.next() { labels1 += b.labels }
    while let b = try s2.next() { labels2 += b.labels }
    #expect(labels1 == s1.order.map { $0 % 3 })
    #expect(labels2 == labels1)
  }

  @Test func loaderStopsWhenReleasedEarly() throws {
    let x = NumPyArray(floats: Array(repeating: 1, count: 1000), shape: [100, 10])
    let data = try TensorDataset(features: x, labels: (0..<100).map { $0 % 2 }, source: "test")
    for _ in 0..<20 {
      let loader = BatchLoader(dataset: data, batchSize: 3, workers: 2)
      _ = try loader.next()
    }
  }
}

@Suite struct AugmentationTests {
  @Test func flipAndAdjust() {
    var image = FloatImage(width: 3, height: 1, channels: 1, pixels: [0.1, 0.2, 0.3])
    Augmentation.flipHorizontally(&image)
    #expect(image.pixels == [0.3, 0.2, 0.1])
    Augmentation.adjust(&image, brightness: 2, contrast: 1)
    #expect(image.pixels.map { ($0 * 100).rounded() } == [60, 40, 20])
    Augmentation.adjust(&image, brightness: 1, contrast: 0)
    #expect(image.pixels.allSatisfy { abs($0 - 0.4) < 1e-6 })
  }

  @Test func rotationByZeroAndNinety() {
    let image = FloatImage(width: 3, height: 3, channels: 1, pixels: (0..<9).map(Float.init))
    #expect(Augmentation.rotated(image, degrees: 0).pixels == image.pixels)
    // Counter-clockwise 90°: the top row becomes the left column, read bottom-up.
    let r = Augmentation.rotated(image, degrees: 90).pixels.map { $0.rounded() }
    #expect(r == [2, 5, 8, 1, 4, 7, 0, 3, 6])
  }

  @Test func randomResizedCropStaysInside() {
    let augmentation = Augmentation(cropScale: 0.08...1)
    var g = SeededGenerator(seed: 5)
    for _ in 0..<200 {
      let box = augmentation.randomResizedCrop(width: 40, height: 30, using: &g)!
      #expect(box.x0 >= 0 && box.y0 >= 0 && box.x1 <= 40 && box.y1 <= 30 && box.x1 > box.x0 && box.y1 > box.y0)
    }
  }
}

@Suite struct DatasetReaderTests {
  @Test func opensByPathType() throws {
    let npz = try DatasetReader.open(Fixtures.array("stored.npz"))
    #expect(npz.count == 6 && npz.classNames == ["0", "1", "2"])
    let npy = try DatasetReader.open(Fixtures.array("x_f32.npy"), labels: Fixtures.array("y_i32.npy"))
    #expect(npy.sampleShape == [4])
    let csv = try DatasetReader.open(Fixtures.array("header.csv"), csv: .init(labelColumn: .index(2)))
    #expect(csv.classNames == ["setosa", "virginica"])
    #expect(throws: DataError.self) { try DatasetReader.open(Fixtures.array("x_f32.npy")) }
    #expect(throws: DataError.self) { try DatasetReader.open(Fixtures.images.path) }  // no preprocessing
    #expect(throws: DataError.self) { try DatasetReader.open(Fixtures.image("rgb.png")) }
  }
}

/// Counts loads, to check how far the loader runs ahead of the consumer.
final class CountingDataset: Dataset, @unchecked Sendable {
  let lock = NSLock()
  var loads = 0
  let count = 200
  let classNames = ["a", "b"]
  let sampleShape = [2]
  var labels: [Int] { (0..<count).map { $0 % 2 } }

  func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws {
    lock.withLock { loads += 1 }
    destination[0] = Float(index)
    destination[1] = Float(generator.next() % 1000)
  }

  func sampleName(at index: Int) -> String { "sample \(index)" }
}

@Suite struct BoundedPrefetchTests {
  @Test func loaderRunsAtMostPrefetchAhead() throws {
    let data = CountingDataset()
    let prefetch = 2
    let workers = 2
    let batchSize = 10
    let loader = BatchLoader(dataset: data, batchSize: batchSize, prefetch: prefetch, workers: workers)
    var consumed = 0
    while let batch = try loader.next() {
      consumed += 1
      #expect(batch.count == batchSize)
      Thread.sleep(forTimeInterval: 0.005)  // a slow consumer
      let loads = data.lock.withLock { data.loads }
      // Batches consumed, plus at most `prefetch` ready or being built.
      #expect(loads <= (consumed + prefetch) * batchSize)
    }
    #expect(consumed == 20)
    #expect(data.loads == 200)
  }
}

@Suite struct ClassNamesMetadataTests {
  @Test func roundTrip() {
    let names = ["cat", "dog \"big\"", "émeu", "a/b"]
    let text = ClassNamesMetadata.encode(names)
    #expect(text == #"["cat","dog \"big\"","émeu","a/b"]"#)
    #expect(ClassNamesMetadata.decode(text) == names)
    #expect(ClassNamesMetadata.decode("not json") == nil)
    #expect(ClassNamesMetadata.decode("[1, 2]") == nil)
  }
}

/// Sample 7 is bad (skipped); sample 13 fails hard (stops the loader).
struct FailingDataset: Dataset {
  let count = 20
  let classNames = ["a", "b"]
  let sampleShape = [1]
  var labels: [Int] { (0..<count).map { $0 % 2 } }

  func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws {
    if index == 7 { throw BadSampleError(path: "seven.png", reason: "corrupt") }
    if index == 13 { throw DataError("disk on fire") }
    destination[0] = Float(index)
  }

  func sampleName(at index: Int) -> String { "sample \(index)" }
}

@Suite struct LoaderErrorTests {
  @Test func badSamplesAreSkippedOtherErrorsStop() throws {
    let report = BadDataReport()
    let loader = BatchLoader(dataset: FailingDataset(), batchSize: 5, workers: 2, badData: report)
    let first = try #require(try loader.next())
    #expect(first.indices == [0, 1, 2, 3, 4])
    let second = try #require(try loader.next())
    #expect(second.indices == [5, 6, 8, 9])
    #expect(second.features.elements(as: Float.self) == [5, 6, 8, 9])
    #expect(second.labels == [1, 0, 0, 1])
    #expect(throws: DataError("disk on fire")) { try loader.next() }
    #expect(try loader.next() == nil)
    #expect(report.count == 1 && report.summary == "skipped 1 unreadable file: seven.png (corrupt)")
  }
}
