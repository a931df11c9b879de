import TuneTensor

/// Gradient of `Gemm`, Y = α·op(A)·op(B) + β·C:
///   ∂A = α·∂Y·op(B)ᵀ (transposed back when transA), ∂B = α·op(A)ᵀ·∂Y (transposed back when
///   transB), ∂C = β·∂Y (summed to C's shape by the backward driver).
extension Gemm: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let a = try GradientSupport.float(inputs[0], "A")
    let b = try GradientSupport.float(inputs[1], "B")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let m = dy.shape[0]
    let n = dy.shape[1]
    let k = transA ? a.shape[0] : a.shape[1]
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    dy.withElements(as: Float.self) { g in
      if needed[0] {
        var da = Tensor(uninitialized: .float, shape: a.shape)
        da.withMutableElements(as: Float.self) { d in
          b.withElements(as: Float.self) { bp in
            if transA {  // A is [k,m]: ∂A = α·op(B)·∂Yᵀ
              GradientSupport.matmul(bp.baseAddress!, g.baseAddress!, into: d.baseAddress!, m: k, n: m, k: n, transA: transB, transB: true, alpha: alpha)
            } else {  // ∂A[m,k] = α·∂Y[m,n]·op(B)ᵀ
              GradientSupport.matmul(g.baseAddress!, bp.baseAddress!, into: d.baseAddress!, m: m, n: k, k: n, transA: false, transB: !transB, alpha: alpha)
            }
          }
        }
        result[0] = da
      }
      if needed[1] {
        var db = Tensor(uninitialized: .float, shape: b.shape)
        db.withMutableElements(as: Float.self) { d in
          a.withElements(as: Float.self) { ap in
            if transB {  // B is [n,k]: ∂B = α·∂Yᵀ·op(A)
              GradientSupport.matmul(g.baseAddress!, ap.baseAddress!, into: d.baseAddress!, m: n, n: k, k: m, transA: true, transB: transA, alpha: alpha)
            } else {  // ∂B[k,n] = α·op(A)ᵀ·∂Y
              GradientSupport.matmul(ap.baseAddress!, g.baseAddress!, into: d.baseAddress!, m: k, n: n, k: m, transA: !transA, transB: false, alpha: alpha)
            }
          }
        }
        result[1] = db
      }
    }
    if inputs.count > 2, needed[2], inputs[2] != nil {
      if beta == 1 {
        result[2] = dy
      } else {
        var dc = dy
        dc.withMutableElements(as: Float.self) { p in for i in p.indices { p[i] *= beta } }
        result[2] = dc
      }
    }
    return result
  }
}
