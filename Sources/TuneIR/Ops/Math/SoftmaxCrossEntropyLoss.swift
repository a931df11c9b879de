import TuneTensor

/// `SoftmaxCrossEntropyLoss`: the negative log-likelihood of log_softmax(scores) along axis 1
/// for scores [N, C, d1, …, dk] and int labels [N, d1, …, dk]; optional per-class weights,
/// `reduction` none/sum/mean, `ignore_index`. The optional second output is the log-softmax.
/// https://onnx.ai/onnx/operators/onnx__SoftmaxCrossEntropyLoss.html
public struct SoftmaxCrossEntropyLoss: Operator {
  public static let opType = "SoftmaxCrossEntropyLoss"
  var body: ClassificationLoss
  var wantsLogProb: Bool
  public init(node: Node, opset: Int) throws {
    body = try ClassificationLoss(node: node)
    wantsLogProb = node.outputs.count > 1 && !node.outputs[1].isEmpty
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let scores = try MathSupport.required(inputs, 0)
    let labels = try MathSupport.required(inputs, 1, "labels input")
    guard scores.dtype.isFloatingPoint else {
      throw OpError("expected floating point scores, got \(scores.dtype)")
    }
    guard scores.rank >= 2 else { throw OpError("expected scores of shape [N, C, ...], got \(scores.shape)") }
    let x = scores.converted(to: .float)
    let (outer, length, inner) = MathSupport.split(x.shape, axis: 1)
    let logProb = Tensor(uninitialized: .float, shape: x.shape)
    let src = x.buffer.pointer.assumingMemoryBound(to: Float.self)
    let dst = logProb.buffer.pointer.assumingMemoryBound(to: Float.self)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        var m = -Float.infinity
        for k in 0..<length { m = Swift.max(m, src[base + k * inner]) }
        var sum: Float = 0
        for k in 0..<length { sum += Float.exp(src[base + k * inner] - m) }
        let shift = m + Float.log(sum)
        for k in 0..<length { dst[base + k * inner] = src[base + k * inner] - shift }
      }
    }
    let weight = inputs.count > 2 ? inputs[2] : nil
    let loss = try body.loss(logProb, labels, weight, dtype: scores.dtype)
    return wantsLogProb ? [loss, try Cast.convert(logProb, to: scores.dtype)] : [loss]
  }
}
