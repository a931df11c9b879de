import TuneTensor

/// The axes of a `Reduce*` op: the `axes` attribute before the opset where it became the
/// second input (13 for ReduceSum, 18 for the others), `keepdims` (default 1) and
/// `noop_with_empty_axes` (default 0: no axes means every axis).
public struct ReduceAxes: Sendable {
  public var attributeAxes: [Int]?
  public var axesFromInput: Bool
  public var keepDims: Bool
  public var noopWithEmptyAxes: Bool

  public init(node: Node, opset: Int, axesInputSince: Int) throws {
    axesFromInput = opset >= axesInputSince
    attributeAxes = axesFromInput ? nil : try node.ints("axes")
    keepDims = try node.int("keepdims", default: 1) != 0
    noopWithEmptyAxes = try node.int("noop_with_empty_axes", default: 0) != 0
  }

  /// For each axis of a tensor of `rank`, whether it is reduced. With no axes and
  /// `noop_with_empty_axes` none is: the reduction then applies elementwise (ReduceSumSquare
  /// gives x², ReduceL1 |x|, as the ONNX reference does).
  public func reducedAxes(_ inputs: [Tensor?], rank: Int) throws -> [Bool] {
    var axes = attributeAxes ?? []
    if axesFromInput, inputs.count > 1, let t = inputs[1] {
      guard t.dtype == .int64 || t.dtype == .int32 else {
        throw OpError("expected int64 axes, got \(t.dtype)")
      }
      axes = t.int64Values().map { Int($0) }
    }
    if axes.isEmpty {
      if noopWithEmptyAxes { return [Bool](repeating: false, count: rank) }
      return [Bool](repeating: true, count: rank)
    }
    var mask = [Bool](repeating: false, count: rank)
    for a in axes {
      guard a >= -rank, a < rank else {
        throw OpError("axis \(a) is out of range for rank \(rank)")
      }
      mask[a < 0 ? a + rank : a] = true
    }
    return mask
  }
}

/// A `Reduce*` op folding elements with `combine` from `initial`, then `finish`ing each result
/// with the number of elements folded.
public protocol ReduceOperator: Operator {
  var axes: ReduceAxes { get }
  func initial<T: NumericScalar>(_ type: T.Type) -> T
  func combine<T: NumericScalar>(_ accumulator: T, _ element: T) -> T
  func finish<T: NumericScalar>(_ accumulator: T, count: Int) -> T
  /// Whether bool inputs are accepted (ReduceMax and ReduceMin from opset 20).
  var acceptsBool: Bool { get }
  /// The reduction of `x` along the axes where `mask` is true, reduced axes kept as 1.
  /// Default: `combine` from `initial`, then `finish`.
  func reduce(_ x: Tensor, _ mask: [Bool]) throws -> Tensor
}

extension ReduceOperator {
  public func finish<T: NumericScalar>(_ accumulator: T, count: Int) -> T { accumulator }
  public var acceptsBool: Bool { false }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    let mask = try axes.reducedAxes(inputs, rank: x.rank)
    let y = try reduce(x, mask)
    return [axes.keepDims ? y : y.reshaped(zip(x.shape, mask).filter { !$0.1 }.map(\.0))]
  }

  /// The reduction of `x` along `mask`, with reduced axes kept as 1.
  public func reduce(_ x: Tensor, _ mask: [Bool]) throws -> Tensor {
    if x.dtype == .float { return reduce(x, mask, as: Float.self) }
    if x.dtype.isHalfPrecision {
      return try reduce(x.converted(to: .float), mask).converted(to: x.dtype)
    }
    if x.dtype == .bool && acceptsBool {
      var bytes = x
      bytes.dtype = .uint8
      var y = reduce(bytes, mask, as: UInt8.self)
      y.dtype = .bool
      return y
    }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    return reduce(x, mask, as: type)
  }

  func reduce<T: NumericScalar>(_ x: Tensor, _ mask: [Bool], as type: T.Type) -> Tensor {
    var y = Elementwise.reduce(x, as: T.self, reduced: mask, initial: initial(T.self)) { a, e, _ in
      combine(a, e)
    }
    let count = zip(x.shape, mask).reduce(1) { $1.1 ? $0 * $1.0 : $0 }
    y.withMutableElements(as: T.self) { out in
      for i in out.indices { out[i] = finish(out[i], count: count) }
    }
    return y
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Functions of a folded value computed in double (for integer types) or the type itself.
enum ReduceMath {
  static func sqrt<T: NumericScalar>(_ x: T) -> T {
    if let f = x as? Float { return f.squareRoot() as! T }
    return T(clamping: Glibc.sqrt(x.doubleValue))
  }
  static func log<T: NumericScalar>(_ x: T) -> T {
    if let f = x as? Float { return Float.log(f) as! T }
    return T(clamping: Glibc.log(x.doubleValue))
  }
}
