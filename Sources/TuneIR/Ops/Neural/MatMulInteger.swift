import TuneTensor

/// ONNX `MatMulInteger`: `(A − a_zero_point) @ (B − b_zero_point)` on 8-bit integers, exact in
/// int32, with MatMul's 1-D and batch-broadcasting rules. `a_zero_point` is a scalar or one
/// value per row of A (`[M]`), `b_zero_point` a scalar or one per column of B (`[N]`).
/// https://onnx.ai/onnx/operators/onnx__MatMulInteger.html
public struct MatMulInteger: Operator {
  public static let opType = "MatMulInteger"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let aIn = try NeuralSupport.required(inputs, 0, "A")
    let bIn = try NeuralSupport.required(inputs, 1, "B")
    for (t, name) in [(aIn, "A"), (bIn, "B")] where t.dtype != .uint8 && t.dtype != .int8 {
      throw OpError("\(name) must be uint8 or int8, got \(t.dtype)")
    }
    guard aIn.rank >= 1, bIn.rank >= 1 else { throw OpError("operands must have rank >= 1") }
    let aShape = aIn.rank == 1 ? [1, aIn.shape[0]] : aIn.shape
    let bShape = bIn.rank == 1 ? [bIn.shape[0], 1] : bIn.shape
    let (m, k, n) = (aShape[aShape.count - 2], aShape[aShape.count - 1], bShape[bShape.count - 1])
    guard bShape[bShape.count - 2] == k else { throw OpError("inner dimensions differ: \(aIn.shape) @ \(bIn.shape)") }
    let aBatch = Array(aShape.dropLast(2))
    let bBatch = Array(bShape.dropLast(2))
    guard let batch = Broadcast.shape(aBatch, bBatch) else {
      throw OpError("batch dimensions \(aBatch) and \(bBatch) do not broadcast")
    }
    func zeroPoints(_ index: Int, count: Int, name: String) throws -> [Int64] {
      guard let z = NeuralSupport.optional(inputs, index) else { return Array(repeating: 0, count: count) }
      let v = z.int64Values()
      if v.count == 1 { return Array(repeating: v[0], count: count) }
      guard v.count == count else { throw OpError("\(name) must be a scalar or have \(count) values, got \(z.shape)") }
      return v
    }
    let aZero = try zeroPoints(2, count: m, name: "a_zero_point")
    let bZero = try zeroPoints(3, count: n, name: "b_zero_point")
    let a = aIn.int64Values()
    let b = bIn.int64Values()
    var outShape = batch
    if aIn.rank > 1 { outShape.append(m) }
    if bIn.rank > 1 { outShape.append(n) }
    let batches = batch.reduce(1, *)
    let aStrides = Broadcast.strides(of: aBatch, broadcastTo: batch)
    let bStrides = Broadcast.strides(of: bBatch, broadcastTo: batch)
    var y = [Int32](repeating: 0, count: batches * m * n)
    for index in 0..<batches {
      let coordinates = Im2Col.unflatten(index, batch)
      var ao = 0
      var bo = 0
      for d in 0..<batch.count {
        ao += coordinates[d] * aStrides[d]
        bo += coordinates[d] * bStrides[d]
      }
      ao *= m * k
      bo *= k * n
      for i in 0..<m {
        for j in 0..<n {
          var sum: Int64 = 0
          for p in 0..<k { sum += (a[ao + i * k + p] - aZero[i]) * (b[bo + p * n + j] - bZero[j]) }
          y[(index * m + i) * n + j] = Int32(truncatingIfNeeded: sum)
        }
      }
    }
    return [Tensor(y, shape: outShape)]
  }
}
