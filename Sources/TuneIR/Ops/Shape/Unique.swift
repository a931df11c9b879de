import TuneTensor

/// ONNX `Unique`: the distinct elements of the flattened input (or, with `axis`, the distinct
/// slices along it), sorted ascending (`sorted` = 1, default; slices compare
/// lexicographically) or in order of first occurrence. Also returns, as int64, the index of each
/// unique value's first occurrence, the inverse mapping from each input element (slice) to its
/// unique value, and the counts.
/// https://onnx.ai/onnx/operators/onnx__Unique.html
public struct Unique: Operator {
  public static let opType = "Unique"
  public var sorted: Bool
  public var axis: Int?

  public init(node: Node, opset: Int) throws {
    sorted = try node.int("sorted", default: 1) != 0
    axis = try node.intIfPresent("axis")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var x = try ShapeSupport.input(inputs, 0, "X")
    guard x.dtype == .string || x.dtype.isInteger || x.dtype.isFloatingPoint || x.dtype == .bool
    else {
      throw OpError("Unique does not support \(x.dtype)")
    }
    let a: Int
    if let axis {
      a = try ShapeSupport.axis(axis, rank: x.rank)
    } else {
      x = x.reshaped([x.count])
      a = 0
    }
    let n = x.shape[a]
    let inner = Tensor.elementCount(Array(x.shape[(a + 1)...]))
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    // Slice `i` along the axis as a comparable key.
    let keys: [Key] = (0..<n).map { i in
      let offsets = (0..<outer).flatMap { o in (0..<inner).map { (o * n + i) * inner + $0 } }
      if x.dtype == .string { return Key(strings: offsets.map { x.strings[$0] }) }
      let load = Tensor.loader(x.dtype)
      return Key(numbers: offsets.map { load(x.buffer.pointer, $0) })
    }
    var order = Array(0..<n)
    if sorted { order.sort { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) } }
    var first: [Int] = []
    var counts: [Int64] = []
    var inverse = [Int64](repeating: 0, count: n)
    var seen: [Key: Int] = [:]
    for i in order {
      if let u = seen[keys[i]] {
        counts[u] += 1
        inverse[i] = Int64(u)
      } else {
        seen[keys[i]] = first.count
        inverse[i] = Int64(first.count)
        first.append(i)
        counts.append(1)
      }
    }
    var shape = x.shape
    shape[a] = first.count
    var blocks: [Int] = []
    for o in 0..<outer { for f in first { blocks.append(o * n + f) } }
    let y = CopyKernel.gatherBlocks(x, blockSize: inner, sourceBlocks: blocks, shape: shape)
    return [
      y, Tensor(first.map { Int64($0) }, shape: [first.count]), Tensor(inverse, shape: [n]),
      Tensor(counts, shape: [counts.count]),
    ]
  }

  /// A slice's elements: numbers (as Double) or strings, ordered lexicographically.
  struct Key: Hashable, Comparable {
    var numbers: [Double] = []
    var strings: [[UInt8]] = []
    static func < (a: Key, b: Key) -> Bool {
      if !a.strings.isEmpty || !b.strings.isEmpty {
        return a.strings.lexicographicallyPrecedes(b.strings) { $0.lexicographicallyPrecedes($1) }
      }
      return a.numbers.lexicographicallyPrecedes(b.numbers)
    }
  }
}
