import TuneTensor

/// Small checks shared by the shape and data-movement ops.
enum ShapeSupport {
  /// Input `index`, or an error naming it when it is missing.
  static func input(_ inputs: [Tensor?], _ index: Int, _ name: String) throws -> Tensor {
    guard index < inputs.count, let t = inputs[index] else {
      throw OpError("input \(index) ('\(name)') is required")
    }
    return t
  }

  /// Input `index` when present (an omitted optional input is nil or past the end).
  static func optionalInput(_ inputs: [Tensor?], _ index: Int) -> Tensor? {
    index < inputs.count ? inputs[index] : nil
  }

  /// `axis` in [-rank, rank) made non-negative.
  static func axis(_ axis: Int, rank: Int, _ name: String = "axis") throws -> Int {
    guard axis >= -rank, axis < rank else {
      throw OpError(
        "\(name) \(axis) is out of range for rank \(rank) (expected [\(-rank), \(rank - 1)])")
    }
    return axis < 0 ? axis + rank : axis
  }

  /// Distinct normalized axes.
  static func axes(_ axes: [Int], rank: Int, _ name: String = "axes") throws -> [Int] {
    let a = try axes.map { try axis($0, rank: rank, name) }
    guard Set(a).count == a.count else { throw OpError("\(name) \(axes) has duplicates") }
    return a
  }

  /// The elements of an integer tensor (int64 or int32) as Int.
  static func ints(_ t: Tensor, _ name: String) throws -> [Int] {
    guard t.dtype == .int64 || t.dtype == .int32 else {
      throw OpError("'\(name)' should be int64 or int32, got \(t.dtype)")
    }
    return try t.int64Values().map {
      guard let v = Int(exactly: $0) else { throw OpError("'\(name)' value \($0) is out of range") }
      return v
    }
  }

  /// The single element of an integer tensor (scalar or one-element 1-D).
  static func scalarInt(_ t: Tensor, _ name: String) throws -> Int {
    let v = try ints(t, name)
    guard v.count == 1 else {
      throw OpError("'\(name)' should hold one value, got shape \(t.shape)")
    }
    return v[0]
  }

  /// Throws for element types the copy kernels cannot move (packed sub-byte types).
  static func requireMovable(_ t: Tensor, _ name: String = "input") throws {
    guard CopyKernel.canMove(t.dtype) else {
      throw OpError("\(name) element type \(t.dtype) is not supported by data-movement ops")
    }
  }

  /// Most elements an op will allocate for one output (2^32): a larger request is an error
  /// rather than a failed allocation.
  static let maxElements = 1 << 32

  /// A shape whose element count must fit in memory: at most `maxElements` elements and at
  /// most `TensorLimits.maxBytes` bytes for `dtype`.
  static func checkedShape(_ dims: [Int], _ what: String, dtype: DType = .float) throws -> [Int] {
    guard Tensor.checkedElementCount(dims.map { Int64($0) }, limit: maxElements) != nil else {
      if dims.allSatisfy({ $0 >= 0 }) {
        throw OpError("\(what) \(dims) is too large: over \(maxElements) elements or the limit of \(TensorLimits.maxBytes) bytes per tensor (ONNX_TUNE_MAX_TENSOR_BYTES)")
      }
      throw OpError("\(what) \(dims) is invalid (negative dimension)")
    }
    if let why = TensorLimits.violation(dtype, shape: dims) { throw OpError("\(what): \(why)") }
    return dims
  }

  /// `a + b` or `a * b`, or an error naming `what` on overflow.
  static func add(_ a: Int, _ b: Int, _ what: String) throws -> Int {
    let (r, o) = a.addingReportingOverflow(b)
    if o { throw OpError("\(what) overflows") }
    return r
  }
  static func multiply(_ a: Int, _ b: Int, _ what: String) throws -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    if o { throw OpError("\(what) overflows") }
    return r
  }

  /// A slice of `t` along `axis` from `start` (inclusive) with `count` elements.
  static func slice(_ t: Tensor, axis: Int, start: Int, count: Int) -> Tensor {
    var shape = t.shape
    shape[axis] = count
    let strides = CopyKernel.contiguousStrides(t.shape)
    return CopyKernel.strided(t, shape: shape, offset: start * strides[axis], strides: strides)
  }

  /// An int64 tensor of `shape` whose element `i` is `i` (stands in for strings or any dtype
  /// where an op only moves elements).
  static func iota(_ shape: [Int]) -> Tensor {
    let n = Tensor.elementCount(shape)
    return Tensor((0..<Int64(n)).map { $0 }, shape: shape)
  }

  /// A normalized index into an axis of length `dim`, accepting [-dim, dim).
  @inline(__always)
  static func index(_ i: Int, dim: Int, _ name: String) throws -> Int {
    guard i >= -dim, i < dim else {
      throw OpError(
        "\(name) \(i) is out of range for a dimension of \(dim) (expected [\(-dim), \(dim - 1)])")
    }
    return i < 0 ? i + dim : i
  }
}
