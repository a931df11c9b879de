import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// ONNX `Attention` (opsets 23, 24): scaled dot-product attention,
/// `Y = softmax(scale · Q·Kᵀ (soft-capped) + bias) · V`, with 3-D inputs split into heads
/// (`q_num_heads`, `kv_num_heads`), grouped-query heads, `past_key`/`past_value` concatenated
/// before K/V (and returned as `present_*`), boolean or additive `attn_mask` (padded with −∞ up
/// to the total length), `is_causal`, `nonpad_kv_seqlen` (opset 24) and the optional
/// `qk_matmul_output` selected by `qk_matmul_output_mode`, all as the ONNX reference computes.
/// https://onnx.ai/onnx/operators/onnx__Attention.html
public struct Attention: Operator {
  public static let opType = "Attention"
  public var isCausal: Bool
  public var kvHeads: Int?
  public var qHeads: Int?
  public var qkOutputMode: Int
  public var scale: Float?
  public var softcap: Float

  public init(node: Node, opset: Int) throws {
    isCausal = try node.int("is_causal", default: 0) != 0
    kvHeads = try node.intIfPresent("kv_num_heads")
    qHeads = try node.intIfPresent("q_num_heads")
    qkOutputMode = try node.int("qk_matmul_output_mode", default: 0)
    scale = node.attribute("scale") != nil ? try node.float("scale", default: 1) : nil
    softcap = try node.float("softcap", default: 0)
  }

  /// A `[B, H, S, D]` float view of Q, K or V (3-D inputs are split into heads).
  static func heads(_ t: Tensor, heads: Int?, name: String) throws -> (values: [Float], shape: [Int]) {
    let values = try NeuralSupport.asFloat(t, name).elements(as: Float.self)
    if t.rank == 4 { return (values, t.shape) }
    guard t.rank == 3 else { throw OpError("\(name) must be 3-D or 4-D, got \(t.shape)") }
    guard let h = heads, h > 0, t.shape[2] % h == 0 else {
      throw OpError("3-D \(name) needs a head count dividing its hidden size \(t.shape[2]), got \(heads.map(String.init) ?? "none")")
    }
    let (b, s, d) = (t.shape[0], t.shape[1], t.shape[2] / h)
    var out = [Float](repeating: 0, count: values.count)
    for bi in 0..<b {
      for si in 0..<s {
        for hi in 0..<h {
          for di in 0..<d { out[((bi * h + hi) * s + si) * d + di] = values[(bi * s + si) * h * d + hi * d + di] }
        }
      }
    }
    return (out, [b, h, s, d])
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let qIn = try NeuralSupport.required(inputs, 0, "Q")
    let kIn = try NeuralSupport.required(inputs, 1, "K")
    let vIn = try NeuralSupport.required(inputs, 2, "V")
    guard qIn.rank == kIn.rank, kIn.rank == vIn.rank else {
      throw OpError("Q, K and V must have the same rank, got \(qIn.shape), \(kIn.shape), \(vIn.shape)")
    }
    let (q, qShape) = try Attention.heads(qIn, heads: qHeads, name: "Q")
    var (k, kShape) = try Attention.heads(kIn, heads: kvHeads, name: "K")
    var (v, vShape) = try Attention.heads(vIn, heads: kvHeads, name: "V")
    let (batch, hq, sq, dq) = (qShape[0], qShape[1], qShape[2], qShape[3])
    let hk = kShape[1]
    guard kShape[0] == batch, vShape[0] == batch, vShape[1] == hk, kShape[3] == dq, vShape[2] == kShape[2],
      hk > 0, hq % hk == 0
    else {
      throw OpError("incompatible Q \(qShape), K \(kShape), V \(vShape) (as [batch, heads, sequence, head size])")
    }
    // Concatenate the past along the sequence axis.
    func concat(_ past: Tensor?, _ cur: [Float], _ shape: [Int], _ name: String) throws -> ([Float], [Int]) {
      guard let past else { return (cur, shape) }
      guard past.rank == 4, past.shape[0] == shape[0], past.shape[1] == shape[1], past.shape[3] == shape[3] else {
        throw OpError("\(name) must be [\(shape[0]), \(shape[1]), past, \(shape[3])], got \(past.shape)")
      }
      let p = try NeuralSupport.asFloat(past, name).elements(as: Float.self)
      let (sp, sc, d) = (past.shape[2], shape[2], shape[3])
      var out = [Float]()
      out.reserveCapacity(p.count + cur.count)
      for bh in 0..<(shape[0] * shape[1]) {
        out.append(contentsOf: p[(bh * sp * d)..<((bh + 1) * sp * d)])
        out.append(contentsOf: cur[(bh * sc * d)..<((bh + 1) * sc * d)])
      }
      return (out, [shape[0], shape[1], sp + sc, d])
    }
    let pastKey = NeuralSupport.optional(inputs, 4)
    let pastLength = pastKey?.shape.count == 4 ? pastKey!.shape[2] : 0
    (k, kShape) = try concat(pastKey, k, kShape, "past_key")
    (v, vShape) = try concat(NeuralSupport.optional(inputs, 5), v, vShape, "past_value")
    let total = kShape[2]
    let dv = vShape[3]
    // Additive bias [B, Hq, Sq, L] (broadcast strides of the mask).
    var maskValues: [Float]? = nil
    var maskStrides = [0, 0, 0, 0]
    var maskLength = total
    if let mask = NeuralSupport.optional(inputs, 3) {
      guard mask.rank >= 1, mask.rank <= 4 else { throw OpError("attn_mask must have rank 1 to 4, got \(mask.shape)") }
      maskLength = mask.shape[mask.rank - 1]
      guard maskLength <= total else {
        throw OpError("attn_mask's last dimension \(maskLength) exceeds the total sequence length \(total)")
      }
      var target = [batch, hq, sq, maskLength]
      target.removeFirst(4 - mask.rank)
      guard Broadcast.shape(mask.shape, target) == target else {
        throw OpError("attn_mask of shape \(mask.shape) does not broadcast to [\(batch), \(hq), \(sq), \(maskLength)]")
      }
      let s = Broadcast.strides(of: mask.shape, broadcastTo: target)
      maskStrides = Array(repeating: 0, count: 4 - mask.rank) + s
      maskValues =
        mask.dtype == .bool
        ? mask.elements(as: Bool.self).map { $0 ? 0 : -Float.infinity }
        : try NeuralSupport.asFloat(mask, "attn_mask").elements(as: Float.self)
    }
    var nonpad: [Int64]? = nil
    if let n = NeuralSupport.optional(inputs, 6) {
      guard n.count == batch else { throw OpError("nonpad_kv_seqlen must have \(batch) values, got \(n.shape)") }
      nonpad = n.int64Values()
    }
    let scale = self.scale ?? 1 / Float(dq).squareRoot()
    var y = [Float](repeating: 0, count: batch * hq * sq * dv)
    var qkOut = [Float](repeating: 0, count: batch * hq * sq * total)
    var scores = [Float](repeating: 0, count: sq * total)
    let group = hq / hk
    for b in 0..<batch {
      for h in 0..<hq {
        let kh = h / group
        q.withUnsafeBufferPointer { qp in
          k.withUnsafeBufferPointer { kp in
            scores.withUnsafeMutableBufferPointer { sp in
              GemmKernel.gemm(
                transposeA: false, transposeB: true, m: sq, n: total, k: dq, alpha: scale,
                a: qp.baseAddress! + (b * hq + h) * sq * dq, lda: dq,
                b: kp.baseAddress! + (b * hk + kh) * total * dq, ldb: dq, beta: 0, c: sp.baseAddress!, ldc: total)
            }
          }
        }
        let outBase = (b * hq + h) * sq * total
        for i in 0..<sq {
          for j in 0..<total {
            var s = scores[i * total + j]
            if softcap > 0 { s = softcap * tanhf(s / softcap) }
            var bias: Float = 0
            if let maskValues {
              bias = j < maskLength
                ? maskValues[b * maskStrides[0] + h * maskStrides[1] + i * maskStrides[2] + j * maskStrides[3]]
                : -.infinity
            }
            if isCausal && j > pastLength + i { bias += -.infinity }
            if let nonpad, Int64(j) >= nonpad[b] { bias += -.infinity }
            let withBias = s + bias
            qkOut[outBase + i * total + j] = qkOutputMode == 2 ? withBias : s
            scores[i * total + j] = withBias
          }
          // Softmax over the row (NaN for an all −∞ row, as NumPy gives).
          let row = i * total
          var m = -Float.infinity
          for j in 0..<total { m = max(m, scores[row + j]) }
          var sum: Float = 0
          for j in 0..<total {
            let e = expf(scores[row + j] - m)
            scores[row + j] = e
            sum += e
          }
          for j in 0..<total {
            scores[row + j] /= sum
            if qkOutputMode == 3 { qkOut[outBase + row + j] = scores[row + j] }
          }
        }
        scores.withUnsafeBufferPointer { sp in
          v.withUnsafeBufferPointer { vp in
            y.withUnsafeMutableBufferPointer { yp in
              GemmKernel.gemm(
                transposeA: false, transposeB: false, m: sq, n: dv, k: total, alpha: 1, a: sp.baseAddress!,
                lda: total, b: vp.baseAddress! + (b * hk + kh) * total * dv, ldb: dv, beta: 0,
                c: yp.baseAddress! + (b * hq + h) * sq * dv, ldc: dv)
            }
          }
        }
      }
    }
    var output = Tensor(y, shape: [batch, hq, sq, dv])
    if qIn.rank == 3 {
      var t = [Float](repeating: 0, count: y.count)
      for b in 0..<batch {
        for h in 0..<hq {
          for i in 0..<sq {
            for d in 0..<dv { t[((b * sq + i) * hq + h) * dv + d] = y[((b * hq + h) * sq + i) * dv + d] }
          }
        }
      }
      output = Tensor(t, shape: [batch, sq, hq * dv])
    }
    let dtype = qIn.dtype
    return [
      NeuralSupport.restore(output, to: dtype),
      NeuralSupport.restore(Tensor(k, shape: kShape), to: dtype),
      NeuralSupport.restore(Tensor(v, shape: vShape), to: dtype),
      NeuralSupport.restore(Tensor(qkOut, shape: [batch, hq, sq, total]), to: dtype),
    ]
  }
}
