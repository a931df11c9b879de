import TuneTensor

/// Slicing one index out of an axis and stacking along a new axis, for the control ops
/// (`Loop` and `Scan` outputs, `Scan` inputs). Works on every dtype with whole-byte elements
/// and on strings.
extension Tensor {
  /// The sub-tensor at `index` along `axis`, with that axis removed.
  func slice(at index: Int, alongAxis axis: Int) throws -> Tensor {
    guard axis >= 0, axis < rank, index >= 0, index < shape[axis] else {
      throw OpError("cannot take index \(index) of axis \(axis) of a tensor of shape \(shape)")
    }
    var outShape = shape
    outShape.remove(at: axis)
    let outer = Tensor.elementCount(Array(shape[..<axis]))
    let inner = Tensor.elementCount(Array(shape[(axis + 1)...]))
    let n = shape[axis]
    if dtype == .string {
      var out: [[UInt8]] = []
      out.reserveCapacity(outer * inner)
      for o in 0..<outer { out += strings[((o * n + index) * inner)..<((o * n + index + 1) * inner)] }
      return Tensor(strings: out, shape: outShape)
    }
    let size = dtype.elementSize
    guard size > 0 else { throw OpError("cannot slice a \(dtype) tensor (packed sub-byte type)") }
    let result = Tensor(uninitialized: dtype, shape: outShape)
    let chunk = inner * size
    for o in 0..<outer {
      (result.buffer.pointer + o * chunk).copyMemory(
        from: buffer.pointer + (o * n + index) * chunk, byteCount: chunk)
    }
    return result
  }

  /// `parts` (of one dtype and shape) stacked along a new axis `axis` (0...rank of a part).
  static func stack(_ parts: [Tensor], axis: Int) throws -> Tensor {
    guard let first = parts.first else { throw OpError("nothing to stack") }
    for p in parts where p.dtype != first.dtype || p.shape != first.shape {
      throw OpError(
        "iterations produced differing outputs: \(first.dtype)\(first.shape) and \(p.dtype)\(p.shape)")
    }
    guard axis >= 0, axis <= first.rank else {
      throw OpError("axis \(axis) is out of range for stacking rank-\(first.rank) tensors")
    }
    var outShape = first.shape
    outShape.insert(parts.count, at: axis)
    let outer = Tensor.elementCount(Array(first.shape[..<axis]))
    let inner = Tensor.elementCount(Array(first.shape[axis...]))
    if first.dtype == .string {
      var out: [[UInt8]] = []
      out.reserveCapacity(outer * inner * parts.count)
      for o in 0..<outer { for p in parts { out += p.strings[(o * inner)..<((o + 1) * inner)] } }
      return Tensor(strings: out, shape: outShape)
    }
    let size = first.dtype.elementSize
    guard size > 0 else { throw OpError("cannot stack \(first.dtype) tensors (packed sub-byte type)") }
    let result = Tensor(uninitialized: first.dtype, shape: outShape)
    let chunk = inner * size
    for o in 0..<outer {
      for (k, p) in parts.enumerated() {
        (result.buffer.pointer + (o * parts.count + k) * chunk).copyMemory(
          from: p.buffer.pointer + o * chunk, byteCount: chunk)
      }
    }
    return result
  }

  /// The single element of a bool (or numeric) tensor as a condition.
  func conditionValue(_ what: String) throws -> Bool {
    guard count == 1 else { throw OpError("\(what) should have one element, got shape \(shape)") }
    guard dtype != .string, dtype.elementSize > 0 else {
      throw OpError("\(what) should be bool, got \(dtype)")
    }
    return doubleValue(at: 0) != 0
  }
}

extension ExecutionContext {
  /// Runs `graph` through the executor's `runSubgraph`, checking the output count.
  func run(subgraph graph: Graph, _ bindings: [String: Tensor], expecting count: Int? = nil) throws
    -> [Tensor]
  {
    guard let runSubgraph else { throw OpError("no executor is set to run subgraphs") }
    let out = try runSubgraph(graph, bindings)
    if let count, out.count != count {
      throw OpError("the subgraph returned \(out.count) outputs, expected \(count)")
    }
    return out
  }
}

/// An empty tensor for a scan output of a loop that ran zero times: the element type and shape
/// the body declares for it, with a leading 0 (shape [0] when the body declares none).
func emptyScanOutput(declared: ValueInfo, axis: Int = 0) -> Tensor {
  let dtype = declared.type?.tensorElementType ?? .float
  var shape = (declared.type?.tensorDims ?? []).map { Int($0.fixedValue ?? 0) }
  shape.insert(0, at: min(max(axis, 0), shape.count))
  return Tensor(zeros: dtype == .string ? .float : dtype, shape: shape)
}
