import TuneTensor

/// Gradient of `MatMul` (NumPy semantics, batched with broadcasting):
///   ∂A = ∂Y·Bᵀ, ∂B = Aᵀ·∂Y per batch matrix, returned with the broadcast batch shape (the
///   driver sums them back to each input's shape); 1-D operands are promoted and demoted as in
///   the forward pass.
extension MatMul: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let a = try GradientSupport.float(inputs[0], "A")
    let b = try GradientSupport.float(inputs[1], "B")
    let dyIn = try GradientSupport.float(outputGradients[0], "dY")
    let aShape = a.rank == 1 ? [1, a.shape[0]] : a.shape
    let bShape = b.rank == 1 ? [b.shape[0], 1] : b.shape
    let m = aShape[aShape.count - 2]
    let k = aShape[aShape.count - 1]
    let n = bShape[bShape.count - 1]
    guard let batch = Broadcast.shape(Array(aShape.dropLast(2)), Array(bShape.dropLast(2))) else {
      throw OpError("batch dims of \(a.shape) and \(b.shape) do not broadcast")
    }
    let batchCount = Tensor.elementCount(batch)
    let dy = dyIn.reshaped(batch + [m, n])
    let aStrides = Broadcast.strides(of: Array(aShape.dropLast(2)), broadcastTo: batch)
    let bStrides = Broadcast.strides(of: Array(bShape.dropLast(2)), broadcastTo: batch)
    func offset(_ index: Int, _ strides: [Int]) -> Int {
      var rest = index
      var off = 0
      for axis in stride(from: batch.count - 1, through: 0, by: -1) {
        off += (rest % batch[axis]) * strides[axis]
        rest /= batch[axis]
      }
      return off
    }
    var da: Tensor?
    var db: Tensor?
    if needed[0] { da = Tensor(uninitialized: .float, shape: batch + [m, k]) }
    if needed[1] { db = Tensor(uninitialized: .float, shape: batch + [k, n]) }
    a.withElements(as: Float.self) { ap in
      b.withElements(as: Float.self) { bp in
        dy.withElements(as: Float.self) { g in
          for i in 0..<batchCount {
            let aOff = offset(i, aStrides) * m * k
            let bOff = offset(i, bStrides) * k * n
            let gp = g.baseAddress! + i * m * n
            da?.withMutableElements(as: Float.self) { d in
              GradientSupport.matmul(gp, bp.baseAddress! + bOff, into: d.baseAddress! + i * m * k, m: m, n: k, k: n, transA: false, transB: true)
            }
            db?.withMutableElements(as: Float.self) { d in
              GradientSupport.matmul(ap.baseAddress! + aOff, gp, into: d.baseAddress! + i * k * n, m: k, n: n, k: m, transA: true, transB: false)
            }
          }
        }
      }
    }
    // Demote promoted 1-D operands: sum the broadcast batch first.
    func demote(_ g: Tensor?, original: [Int]) -> Tensor? {
      guard var g else { return nil }
      if original.count == 1 {
        var sum = [Float](repeating: 0, count: original[0])
        let v = g.elements(as: Float.self)
        for i in v.indices { sum[i % original[0]] += v[i] }
        g = Tensor(sum, shape: original)
      }
      return g
    }
    return [
      demote(da, original: a.shape), demote(db, original: b.shape),
    ]
  }
}
