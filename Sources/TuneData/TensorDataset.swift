import Foundation

/// Features already in numbers, one sample per row of the first axis, with integer labels:
/// from `.npy` files, an `.npz` archive or a CSV file (``CSVDataset``).
///
/// The features stay in their file's element type (memory-mapped for `.npy`) and become
/// float32 per batch.
///
/// ```swift
/// let train = try TensorDataset(npz: "train.npz")                 // arrays x and y
/// let digits = try TensorDataset(npy: "x.npy", labels: "y.npy")
/// ```
public struct TensorDataset: Dataset {
  public let features: NumPyArray
  public let labels: [Int]
  public let classNames: [String]
  /// Where the data came from, for errors and reports.
  public let source: String
  /// Each feature becomes `value * scale + offset` when loaded (e.g. `scale: 1/255` for
  /// 8-bit pixels).
  public var scale: Float = 1
  public var offset: Float = 0
  /// The shape of one sample; by default the features' shape without the first axis.
  public private(set) var sampleShape: [Int]

  /// - Parameters:
  ///   - features: `[N, ...]`.
  ///   - labels: N labels in `0..<classNames.count`.
  ///   - classNames: the classes; by default `"0"`, `"1"`, … up to the largest label.
  public init(features: NumPyArray, labels: [Int], classNames: [String]? = nil, source: String) throws {
    guard !features.elementType.isString else {
      throw DataError("\(source): features are strings; expected numbers")
    }
    guard features.shape.count >= 1 else {
      throw DataError("\(source): features are a scalar; expected shape [samples, features...]")
    }
    guard features.shape[0] == labels.count else {
      throw DataError("\(source): \(features.shape[0]) feature rows but \(labels.count) labels")
    }
    let names = classNames ?? (0..<((labels.max() ?? -1) + 1)).map(String.init)
    try LabelCheck.validate(labels, classCount: names.count, source: source) { "sample \($0)" }
    self.features = features
    self.labels = labels
    self.classNames = names
    self.source = source
    self.sampleShape = Array(features.shape.dropFirst())
  }

  /// Features with labels from a NumPy array: integers (classes `"0"`, `"1"`, … unless named),
  /// or strings (the class names, sorted unless `classNames` gives the order).
  public init(features: NumPyArray, labelArray: NumPyArray, classNames: [String]? = nil, source: String, labelSource: String)
    throws
  {
    guard labelArray.shape.count == 1 || (labelArray.shape.count == 2 && labelArray.shape[1] == 1) else {
      throw DataError("\(labelSource): labels have shape \(labelArray.shape); expected [samples]")
    }
    if let names = labelArray.strings() {
      let classes = classNames ?? Array(Set(names)).sorted()
      var lookup: [String: Int] = [:]
      for (k, n) in classes.enumerated() { lookup[n] = k }
      var labels: [Int] = []
      labels.reserveCapacity(names.count)
      for (i, n) in names.enumerated() {
        guard let k = lookup[n] else {
          throw DataError("\(labelSource): label '\(n)' of sample \(i) is not one of the classes \(classes)")
        }
        labels.append(k)
      }
      try self.init(features: features, labels: labels, classNames: classes, source: source)
    } else {
      try self.init(
        features: features, labels: labelArray.integers(name: labelSource), classNames: classNames, source: source)
    }
  }

  /// Features and labels from two `.npy` files.
  public init(npy featuresPath: String, labels labelsPath: String, classNames: [String]? = nil) throws {
    let x = try NumPyArray(path: featuresPath)
    let y = try NumPyArray(path: labelsPath)
    try self.init(
      features: x, labelArray: y, classNames: classNames, source: featuresPath, labelSource: labelsPath)
  }

  /// Names tried, in order, for the features and labels arrays of an `.npz`.
  public static let featureKeys = ["x", "X", "features", "data", "inputs", "x_train"]
  public static let labelKeys = ["y", "Y", "labels", "label", "targets", "target", "y_train"]

  /// Features and labels from an `.npz` archive (keys `x`/`features`/… and `y`/`labels`/…
  /// unless given).
  public init(
    npz path: String, featuresKey: String? = nil, labelsKey: String? = nil, classNames: [String]? = nil
  ) throws {
    let archive = try NPZArchive(path: path)
    let names = archive.names
    guard let xKey = featuresKey ?? Self.featureKeys.first(where: names.contains) else {
      throw DataError("\(path): no features array (tried \(Self.featureKeys.joined(separator: ", ")); arrays: \(names.joined(separator: ", ")))")
    }
    guard let yKey = labelsKey ?? Self.labelKeys.first(where: names.contains) else {
      throw DataError("\(path): no labels array (tried \(Self.labelKeys.joined(separator: ", ")); arrays: \(names.joined(separator: ", ")))")
    }
    let x = try archive.array(named: xKey)
    let y = try archive.array(named: yKey)
    try self.init(
      features: x, labelArray: y, classNames: classNames, source: path, labelSource: "\(path)[\(yKey)]")
  }

  public var count: Int { labels.count }

  /// The same samples with another per-sample shape of equal element count (e.g. `[64]` →
  /// `[1, 8, 8]` for a convolutional model).
  public func reshaped(_ shape: [Int]) throws -> TensorDataset {
    guard shape.allSatisfy({ $0 > 0 }), shape.reduce(1, *) == sampleElementCount else {
      throw DataError("\(source): cannot reshape samples of shape \(sampleShape) (\(sampleElementCount) values) to \(shape)")
    }
    var copy = self
    copy.sampleShape = shape
    return copy
  }

  /// Reshaped to what a model input of shape `[N, ...]` takes (dynamic dimensions ≤ 0; one of
  /// them besides N may be inferred), or an error naming both shapes.
  public func fitted(toInputShape inputShape: [Int]) throws -> TensorDataset {
    guard inputShape.count >= 1 else {
      throw DataError("\(source): model input \(inputShape) has no batch axis")
    }
    var shape = Array(inputShape.dropFirst())
    let known = shape.filter { $0 > 0 }.reduce(1, *)
    let dynamic = shape.indices.filter { shape[$0] <= 0 }
    if dynamic.count == 1, known > 0, sampleElementCount % known == 0 {
      shape[dynamic[0]] = sampleElementCount / known
    }
    guard dynamic.count <= 1, shape.reduce(1, *) == sampleElementCount else {
      throw DataError(
        "\(source): samples of shape \(sampleShape) (\(sampleElementCount) values) do not fit model input \(inputShape)")
    }
    return try reshaped(shape)
  }

  public func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws {
    let n = sampleElementCount
    features.writeFloats(from: index * n, count: n, into: destination)
    if scale != 1 || offset != 0 {
      for i in 0..<n { destination[i] = destination[i] * scale + offset }
    }
  }

  public func sampleName(at index: Int) -> String { "\(source) sample \(index)" }
}
