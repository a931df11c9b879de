import TuneTensor

/// ONNX `Gather`: entries of `data` along `axis` picked by `indices` (int32/int64; negative
/// values count from the end). Output shape: `data.shape[..<axis] + indices.shape +
/// data.shape[(axis+1)...]`. An index outside `[-n, n)` is an error.
/// https://onnx.ai/onnx/operators/onnx__Gather.html
public struct Gather: DataMovementGradient {
  public static let opType = "Gather"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let indicesTensor = try ShapeSupport.input(inputs, 1, "indices")
    try ShapeSupport.requireMovable(x, "data")
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let dim = x.shape[a]
    let indices = try ShapeSupport.ints(indicesTensor, "indices").map {
      try ShapeSupport.index($0, dim: dim, "index")
    }
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    let inner = Tensor.elementCount(Array(x.shape[(a + 1)...]))
    var blocks: [Int] = []
    blocks.reserveCapacity(outer * indices.count)
    for o in 0..<outer {
      for i in indices { blocks.append(o * dim + i) }
    }
    let shape = Array(x.shape[..<a]) + indicesTensor.shape + Array(x.shape[(a + 1)...])
    return [CopyKernel.gatherBlocks(x, blockSize: inner, sourceBlocks: blocks, shape: shape)]
  }
}

extension Gather {
  /// Rows of the output gradient added back into the picked positions (duplicates accumulate).
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    var result = [Tensor?](repeating: nil, count: inputs.count)
    guard needed.first == true, let x = inputs.first ?? nil, inputs.count > 1,
      let indicesTensor = inputs[1],
      let g = outputGradients.first ?? nil
    else { return result }
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let dim = x.shape[a]
    let indices = try ShapeSupport.ints(indicesTensor, "indices").map {
      try ShapeSupport.index($0, dim: dim, "index")
    }
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    let inner = Tensor.elementCount(Array(x.shape[(a + 1)...]))
    guard g.count == outer * indices.count * inner else {
      throw OpError("output gradient has shape \(g.shape), expected \(outputs.first?.shape ?? [])")
    }
    var blocks: [Int] = []
    blocks.reserveCapacity(outer * indices.count)
    for o in 0..<outer { for i in indices { blocks.append(o * dim + i) } }
    var grad = Tensor(zeros: g.dtype, shape: x.shape)
    func run<T: BinaryFloatingPoint & TensorScalar>(_: T.Type) {
      g.withElements(as: T.self) { src in
        grad.withMutableElements(as: T.self) { dst in
          for (n, b) in blocks.enumerated() {
            for j in 0..<inner { dst[b * inner + j] += src[n * inner + j] }
          }
        }
      }
    }
    switch g.dtype {
    case .float: run(Float.self)
    case .double: run(Double.self)
    case .float16: run(Float16.self)
    default: throw OpError("gradients are computed for float, double and float16, got \(g.dtype)")
    }
    result[0] = grad
    return result
  }
}
