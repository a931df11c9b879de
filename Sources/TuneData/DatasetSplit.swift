/// A reproducible, stratified split into training and validation samples.
///
/// Within each class the samples are shuffled with `seed` and `round(fraction × count)` go to
/// validation (at least one when the class has two or more samples), so every class keeps its
/// share in both parts. The same seed always gives the same split.
///
/// ```swift
/// let split = try DatasetSplit(labels: data.labels, classCount: data.classNames.count,
///                              validationFraction: 0.2, seed: 42)
/// let (train, validation) = split.subsets(of: data)
/// ```
public struct DatasetSplit: Sendable, Equatable {
  /// Sample indices, ascending.
  public let training: [Int]
  public let validation: [Int]

  public init(labels: [Int], classCount: Int, validationFraction: Double, seed: UInt64) throws {
    guard validationFraction > 0 && validationFraction < 1 else {
      throw DataError("validation fraction must be between 0 and 1, got \(validationFraction)")
    }
    var byClass = [[Int]](repeating: [], count: classCount)
    for (i, label) in labels.enumerated() {
      guard label >= 0 && label < classCount else {
        throw DataError("label \(label) of sample \(i) is outside the class range 0..<\(classCount)")
      }
      byClass[label].append(i)
    }
    var training: [Int] = []
    var validation: [Int] = []
    for (c, members) in byClass.enumerated() {
      var g = SeededGenerator(seed: seed, stream: 0x5EED, index: UInt64(c))
      var shuffled = members
      shuffled.shuffle(using: &g)
      var take = Int((validationFraction * Double(members.count)).rounded())
      if members.count >= 2 { take = min(max(take, 1), members.count - 1) } else { take = 0 }
      validation += shuffled.prefix(take)
      training += shuffled.dropFirst(take)
    }
    self.training = training.sorted()
    self.validation = validation.sorted()
  }

  /// Splits a dataset by its labels.
  public init(_ dataset: some Dataset, validationFraction: Double, seed: UInt64) throws {
    try self.init(
      labels: dataset.labels, classCount: dataset.classNames.count, validationFraction: validationFraction,
      seed: seed)
  }

  /// The two parts of `dataset` as subsets.
  public func subsets<D: Dataset>(of dataset: D) -> (training: DatasetSubset<D>, validation: DatasetSubset<D>) {
    (DatasetSubset(dataset, indices: training), DatasetSubset(dataset, indices: validation))
  }
}
