import TuneTensor

/// `NegativeLogLikelihoodLoss`: loss = -input[n, target[n, d…], d…] · weight[target], for
/// log-probabilities of shape [N, C, d1, …, dk]; `reduction` none/sum/mean (mean divides by
/// the summed weights), `ignore_index` skips targets.
/// https://onnx.ai/onnx/operators/onnx__NegativeLogLikelihoodLoss.html
public struct NegativeLogLikelihoodLoss: Operator {
  public static let opType = "NegativeLogLikelihoodLoss"
  var body: ClassificationLoss
  public init(node: Node, opset: Int) throws { body = try ClassificationLoss(node: node) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    let target = try MathSupport.required(inputs, 1, "target input")
    guard x.dtype.isFloatingPoint else { throw OpError("expected a floating point input, got \(x.dtype)") }
    let weight = inputs.count > 2 ? inputs[2] : nil
    return [try body.loss(x.converted(to: .float), target, weight, dtype: x.dtype)]
  }
}
