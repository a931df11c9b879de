import TuneTensor

/// ONNX `ScatterElements`: a copy of `data` where, for each element of `indices`, the element
/// it addresses along `axis` is replaced by (or, with `reduction` add/mul (opset 16) or
/// max/min (opset 18), combined with) the matching element of `updates`. Duplicate indices
/// apply in order. The deprecated `Scatter` (opsets 9–10) is the same op without reduction.
/// https://onnx.ai/onnx/operators/onnx__ScatterElements.html
public struct ScatterElements: Operator {
  public static let opType = "ScatterElements"
  public var axis: Int
  public var reduction: ScatterReduction

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
    reduction = try ScatterReduction(node.string("reduction", default: "none"))
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    let updates = try ShapeSupport.input(inputs, 2, "updates")
    guard updates.shape == indicesTensor.shape else {
      throw OpError(
        "updates shape \(updates.shape) should equal indices shape \(indicesTensor.shape)")
    }
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let offsets = try GatherElements.sourceOffsets(
      dataShape: x.shape, indices: ShapeSupport.ints(indicesTensor, "indices"),
      indicesShape: indicesTensor.shape, axis: a)
    return [
      try ScatterReduction.scatter(
        into: x, blocks: offsets, blockSize: 1, updates: updates, reduction)
    ]
  }
}

/// The deprecated ONNX `Scatter` (opsets 9–10), identical to `ScatterElements` without reduction.
public struct Scatter: Operator {
  public static let opType = "Scatter"
  var op: ScatterElements
  public init(node: Node, opset: Int) throws { op = try ScatterElements(node: node, opset: opset) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try op.forward(inputs, context: context)
  }
}

/// How a scatter combines an update with the existing element.
public enum ScatterReduction: String, Sendable {
  case none, add, mul, max, min

  init(_ name: String) throws {
    guard let r = ScatterReduction(rawValue: name) else {
      throw OpError("reduction should be none, add, mul, max or min, got '\(name)'")
    }
    self = r
  }

  /// A copy of `data` with block `blocks[i]` (of `blockSize` elements) combined with the i-th
  /// block of `updates`.
  static func scatter(
    into data: Tensor, blocks: [Int], blockSize: Int, updates: Tensor, _ reduction: ScatterReduction
  ) throws -> Tensor {
    guard updates.dtype == data.dtype else {
      throw OpError("updates are \(updates.dtype), data is \(data.dtype)")
    }
    guard updates.count == blocks.count * blockSize else {
      throw OpError("updates have \(updates.count) elements, expected \(blocks.count * blockSize)")
    }
    try ShapeSupport.requireMovable(data, "data")
    var out = data
    if data.dtype == .string {
      guard reduction == .none else {
        throw OpError("reduction \(reduction) does not apply to strings")
      }
      for (i, b) in blocks.enumerated() {
        for j in 0..<blockSize {
          out.strings[b * blockSize + j] = updates.strings[i * blockSize + j]
        }
      }
      return out
    }
    out.makeUnique()
    if reduction == .none {
      let size = data.dtype.elementSize * blockSize
      for (i, b) in blocks.enumerated() {
        (out.buffer.pointer + b * size).copyMemory(
          from: updates.buffer.pointer + i * size, byteCount: size)
      }
      return out
    }
    func run<T>(_: T.Type, _ combine: (T, T) -> T) {
      let d = out.buffer.pointer.assumingMemoryBound(to: T.self)
      let u = updates.buffer.pointer.assumingMemoryBound(to: T.self)
      for (i, b) in blocks.enumerated() {
        for j in 0..<blockSize {
          d[b * blockSize + j] = combine(d[b * blockSize + j], u[i * blockSize + j])
        }
      }
    }
    func floating<T: FloatingPoint>(_: T.Type) -> (T, T) -> T {
      switch reduction {
      case .add: return (+)
      case .mul: return (*)
      case .max: return { $0.isNaN || $1.isNaN ? .nan : Swift.max($0, $1) }
      case .min: return { $0.isNaN || $1.isNaN ? .nan : Swift.min($0, $1) }
      case .none: return { $1 }
      }
    }
    // Integers wrap on overflow (as NumPy does) instead of trapping.
    func integer<T: FixedWidthInteger>(_: T.Type) -> (T, T) -> T {
      switch reduction {
      case .add: return (&+)
      case .mul: return (&*)
      case .max: return { Swift.max($0, $1) }
      case .min: return { Swift.min($0, $1) }
      case .none: return { $1 }
      }
    }
    switch data.dtype {
    case .float: run(Float.self, floating(Float.self))
    case .double: run(Double.self, floating(Double.self))
    case .float16: run(Float16.self, floating(Float16.self))
    case .int64: run(Int64.self, integer(Int64.self))
    case .int32: run(Int32.self, integer(Int32.self))
    case .int16: run(Int16.self, integer(Int16.self))
    case .int8: run(Int8.self, integer(Int8.self))
    case .uint64: run(UInt64.self, integer(UInt64.self))
    case .uint32: run(UInt32.self, integer(UInt32.self))
    case .uint16: run(UInt16.self, integer(UInt16.self))
    case .uint8: run(UInt8.self, integer(UInt8.self))
    default: throw OpError("reduction \(reduction) is not supported for \(data.dtype)")
    }
    return out
  }
}
