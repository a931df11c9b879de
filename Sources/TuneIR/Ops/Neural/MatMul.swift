import TuneTensor

/// ONNX `MatMul`: matrix product with NumPy `matmul` semantics — a 1-D first operand gains a
/// leading 1 and a 1-D second operand a trailing 1 (removed again from the result), and the
/// batch dimensions before the last two broadcast.
/// https://onnx.ai/onnx/operators/onnx__MatMul.html
public struct MatMul: Operator {
  public static let opType = "MatMul"

  public init() {}
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let aIn = try NeuralSupport.required(inputs, 0, "A")
    let bIn = try NeuralSupport.required(inputs, 1, "B")
    return [try MatMul.multiply(aIn, bIn)]
  }

  /// `A @ B` as NumPy computes it, in float32 for float inputs (others converted and back).
  public static func multiply(_ aIn: Tensor, _ bIn: Tensor) throws -> Tensor {
    guard aIn.rank >= 1, bIn.rank >= 1 else {
      throw OpError("MatMul operands must have rank >= 1, got \(aIn.shape) and \(bIn.shape)")
    }
    let aShape = aIn.rank == 1 ? [1, aIn.shape[0]] : aIn.shape
    let bShape = bIn.rank == 1 ? [bIn.shape[0], 1] : bIn.shape
    let m = aShape[aShape.count - 2]
    let k = aShape[aShape.count - 1]
    let n = bShape[bShape.count - 1]
    guard bShape[bShape.count - 2] == k else {
      throw OpError("inner dimensions differ: \(aIn.shape) @ \(bIn.shape)")
    }
    let aBatch = Array(aShape.dropLast(2))
    let bBatch = Array(bShape.dropLast(2))
    guard let batch = Broadcast.shape(aBatch, bBatch) else {
      throw OpError("batch dimensions \(aBatch) and \(bBatch) do not broadcast")
    }
    var outShape = batch
    if aIn.rank > 1 { outShape.append(m) }
    if bIn.rank > 1 { outShape.append(n) }
    let batches = Tensor.elementCount(batch)
    // Flat offsets of each batch's matrix in A and B.
    var aOffsets = [Int]()
    var bOffsets = [Int]()
    aOffsets.reserveCapacity(batches)
    bOffsets.reserveCapacity(batches)
    if batch.isEmpty {
      aOffsets = [0]
      bOffsets = [0]
    } else {
      let aStrides = Broadcast.strides(of: aBatch, broadcastTo: batch)
      let bStrides = Broadcast.strides(of: bBatch, broadcastTo: batch)
      var index = [Int](repeating: 0, count: batch.count)
      for _ in 0..<batches {
        var ao = 0
        var bo = 0
        for d in 0..<batch.count {
          ao += index[d] * aStrides[d]
          bo += index[d] * bStrides[d]
        }
        aOffsets.append(ao * m * k)
        bOffsets.append(bo * k * n)
        var d = batch.count - 1
        while d >= 0 {
          index[d] += 1
          if index[d] < batch[d] { break }
          index[d] = 0
          d -= 1
        }
      }
    }
    let a = try NeuralSupport.asFloat(aIn, "A")
    let b = try NeuralSupport.asFloat(bIn, "B")
    var y = Tensor(uninitialized: .float, shape: outShape)
    if y.count > 0 {
      a.withElements(as: Float.self) { ap in
        b.withElements(as: Float.self) { bp in
          y.withMutableElements(as: Float.self) { yp in
            GemmKernel.batchedMatMul(
              a: ap.baseAddress!, aOffsets: aOffsets, b: bp.baseAddress!, bOffsets: bOffsets,
              c: yp.baseAddress!, m: m, n: n, k: k)
          }
        }
      }
    }
    return NeuralSupport.restore(y, to: aIn.dtype)
  }
}
