import TuneTensor

/// ONNX `Constant`: a tensor held in exactly one attribute: `value` (a tensor), `value_float`,
/// `value_floats`, `value_int`, `value_ints` (int64), `value_string`, `value_strings` (opset 12)
/// or `sparse_value` (opset 11, densified with zeros).
/// https://onnx.ai/onnx/operators/onnx__Constant.html
public struct Constant: Operator {
  public static let opType = "Constant"
  public var value: Tensor

  public init(node: Node, opset: Int) throws {
    let names = [
      "value", "value_float", "value_floats", "value_int", "value_ints", "value_string",
      "value_strings", "sparse_value",
    ]
    let present = names.filter { node.attribute($0) != nil }
    guard present.count == 1, let name = present.first, let a = node.attribute(name) else {
      throw OpError("exactly one of \(names.joined(separator: ", ")) should be set, got \(present)")
    }
    switch name {
    case "value":
      guard let t = a.t else { throw OpError("attribute 'value' should be a tensor") }
      value = t.data
    case "value_float": value = Tensor(scalar: try node.float(name, default: 0))
    case "value_floats": value = Tensor(a.floats, shape: [a.floats.count])
    case "value_int":
      guard let i = a.i else { throw OpError("attribute 'value_int' should be an int") }
      value = Tensor(scalar: i)
    case "value_ints": value = Tensor(a.ints, shape: [a.ints.count])
    case "value_string":
      guard let s = a.s else { throw OpError("attribute 'value_string' should be a string") }
      value = Tensor(strings: [s], shape: [])
    case "value_strings": value = Tensor(strings: a.strings, shape: [a.strings.count])
    default:
      guard let sparse = a.sparseTensor else {
        throw OpError("attribute 'sparse_value' should be a sparse tensor")
      }
      value = try Constant.densify(sparse)
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] { [value] }

  /// A dense tensor of `sparse.dims` with `values` at `indices` (a [NNZ] list of flat
  /// positions or a [NNZ, rank] list of coordinates) and zeros elsewhere.
  static func densify(_ sparse: SparseTensor) throws -> Tensor {
    guard let values = sparse.values?.data else { throw OpError("sparse_value has no values") }
    try ShapeSupport.requireMovable(values, "sparse values")
    let dims = try sparse.dims.map {
      guard $0 >= 0, let d = Int(exactly: $0) else {
        throw OpError("sparse dims \(sparse.dims) are invalid")
      }
      return d
    }
    _ = try ShapeSupport.checkedShape(dims, "sparse dims")
    let total = Tensor.elementCount(dims)
    let nnz = values.count
    var flat: [Int] = []
    if let idx = sparse.indices?.data, nnz > 0 {
      let raw = try ShapeSupport.ints(idx, "sparse indices")
      if idx.rank == 1 {
        flat = raw
      } else if idx.rank == 2, idx.shape[1] == dims.count, raw.count == nnz * dims.count {
        let strides = CopyKernel.contiguousStrides(dims)
        for n in 0..<nnz {
          for k in 0..<dims.count
          where raw[n * dims.count + k] < 0 || raw[n * dims.count + k] >= dims[k] {
            throw OpError(
              "sparse index \(raw[n * dims.count + k]) is out of range for dims \(dims)")
          }
        }
        flat = (0..<nnz).map { n in
          (0..<dims.count).reduce(0) { $0 + raw[n * dims.count + $1] * strides[$1] }
        }
      }
    }
    guard flat.count == nnz, flat.allSatisfy({ $0 >= 0 && $0 < total }) else {
      throw OpError("sparse indices do not match \(nnz) values in dims \(dims)")
    }
    var blocks = [Int](repeating: -1, count: total)
    for (n, f) in flat.enumerated() { blocks[f] = n }
    return CopyKernel.gatherBlocks(
      values.reshaped([nnz]), blockSize: 1, sourceBlocks: blocks, shape: dims)
  }
}
