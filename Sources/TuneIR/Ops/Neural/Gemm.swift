import TuneTensor

/// ONNX `Gemm`: `Y = alpha · A' · B' + beta · C`, where `A'` is `A` or its transpose
/// (`transA`), likewise `B'`, and `C` broadcasts to `[M, N]` (unidirectionally).
/// https://onnx.ai/onnx/operators/onnx__Gemm.html
///
/// Computed in float32 through `cblas_sgemm`; other numeric types are converted and back.
public struct Gemm: Operator {
  public static let opType = "Gemm"
  public var alpha: Float
  public var beta: Float
  public var transA: Bool
  public var transB: Bool

  public init(alpha: Float = 1, beta: Float = 1, transA: Bool = false, transB: Bool = false) {
    self.alpha = alpha
    self.beta = beta
    self.transA = transA
    self.transB = transB
  }

  public init(node: Node, opset: Int) throws {
    // Opsets 1-6 also had `broadcast`; C always broadcasts from 7 and reading it is harmless.
    alpha = try node.float("alpha", default: 1)
    beta = try node.float("beta", default: 1)
    transA = try node.int("transA", default: 0) != 0
    transB = try node.int("transB", default: 0) != 0
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let aIn = try NeuralSupport.required(inputs, 0, "A")
    let bIn = try NeuralSupport.required(inputs, 1, "B")
    let cIn = NeuralSupport.optional(inputs, 2)
    guard aIn.rank == 2, bIn.rank == 2 else {
      throw OpError("A and B must be 2-D, got \(aIn.shape) and \(bIn.shape)")
    }
    let m = transA ? aIn.shape[1] : aIn.shape[0]
    let k = transA ? aIn.shape[0] : aIn.shape[1]
    let kB = transB ? bIn.shape[1] : bIn.shape[0]
    let n = transB ? bIn.shape[0] : bIn.shape[1]
    guard k == kB else {
      throw OpError("inner dimensions differ: A' is \(m)x\(k), B' is \(kB)x\(n)")
    }
    let a = try NeuralSupport.asFloat(aIn, "A")
    let b = try NeuralSupport.asFloat(bIn, "B")
    var y = Tensor(zeros: .float, shape: [m, n])
    var beta = self.beta
    if let cIn, beta != 0 {
      guard cIn.rank <= 2, Broadcast.shape(cIn.shape, [m, n]) == [m, n] else {
        throw OpError("C of shape \(cIn.shape) does not broadcast to [\(m), \(n)]")
      }
      let c = try NeuralSupport.asFloat(cIn, "C")
      let strides = Broadcast.strides(of: c.shape, broadcastTo: [m, n])
      c.withElements(as: Float.self) { cp in
        y.withMutableElements(as: Float.self) { yp in
          for i in 0..<m {
            for j in 0..<n { yp[i * n + j] = beta * cp[i * strides[0] + j * strides[1]] }
          }
        }
      }
      beta = 1
    } else {
      beta = 0
    }
    let alpha = self.alpha
    let lda = aIn.shape[1]
    let ldb = bIn.shape[1]
    a.withElements(as: Float.self) { ap in
      b.withElements(as: Float.self) { bp in
        y.withMutableElements(as: Float.self) { yp in
          GemmKernel.gemm(
            transposeA: transA, transposeB: transB, m: m, n: n, k: k, alpha: alpha,
            a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb, beta: beta,
            c: yp.baseAddress!, ldc: n)
        }
      }
    }
    return [NeuralSupport.restore(y, to: aIn.dtype)]
  }
}
