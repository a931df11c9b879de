import TuneIR
import TuneTensor

/// Labelled examples the trainer draws batches from (datasets adapt to this).
public protocol BatchSource {
  /// Number of examples.
  var count: Int { get }
  /// Features of the examples at `indices`, stacked along a new first axis, and their labels.
  func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int])
  /// Announces the next pass: `order` read in chunks of `batchSize`, for training epoch `epoch`
  /// (nil for an evaluation). A source may start loading those batches ahead and seed
  /// per-epoch augmentation with `epoch`; `batch` must still answer whatever it is asked.
  /// The default does nothing.
  func willRead(order: [Int], batchSize: Int, epoch: Int?)
}

extension BatchSource {
  public func willRead(order: [Int], batchSize: Int, epoch: Int?) {}
}

/// Examples held in memory: one float tensor whose first axis indexes examples, and labels.
public struct TensorBatchSource: BatchSource {
  public let features: Tensor
  public let labels: [Int]

  public init(features: Tensor, labels: [Int]) {
    precondition(features.dtype == .float && features.rank >= 1 && features.shape[0] == labels.count)
    self.features = features
    self.labels = labels
  }

  public var count: Int { labels.count }

  public func batch(_ indices: [Int]) throws -> (features: Tensor, labels: [Int]) {
    let row = features.count / max(features.shape[0], 1)
    var out = Tensor(uninitialized: .float, shape: [indices.count] + features.shape.dropFirst())
    out.withMutableElements(as: Float.self) { o in
      features.withElements(as: Float.self) { f in
        for (k, i) in indices.enumerated() {
          (o.baseAddress! + k * row).update(from: f.baseAddress! + i * row, count: row)
        }
      }
    }
    return (out, indices.map { labels[$0] })
  }
}

/// The order examples are visited in epoch `epoch`: a Fisher–Yates shuffle seeded by the run's
/// seed and the epoch, so a resumed run visits exactly what an uninterrupted one would.
public func epochOrder(count: Int, seed: UInt64, epoch: Int, shuffle: Bool) -> [Int] {
  var order = Array(0..<count)
  guard shuffle else { return order }
  var rng = SeededRandom(seed: seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(epoch + 1)))
  for i in stride(from: count - 1, to: 0, by: -1) {
    let j = Int(rng.next() % UInt64(i + 1))
    order.swapAt(i, j)
  }
  return order
}
