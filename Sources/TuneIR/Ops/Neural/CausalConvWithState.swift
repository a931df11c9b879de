import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// ONNX `CausalConvWithState` (opset 27): a causal depthwise 1-D convolution over
/// `input [B, C, L]` with `weight [C, 1, k]`, left-padded by `past_state [B, C, k−1]` (zeros
/// when omitted), optional `bias [C]` and fused `silu`/`swish` activation; the second output
/// `present_state` is the last `k−1` positions of the padded input.
/// https://onnx.ai/onnx/operators/onnx__CausalConvWithState.html
public struct CausalConvWithState: Operator {
  public static let opType = "CausalConvWithState"
  public var activation: String

  public init(node: Node, opset: Int) throws {
    activation = try node.string("activation", default: "none")
    guard ["none", "silu", "swish"].contains(activation) else {
      throw OpError("activation must be none, silu or swish, got \(activation)")
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "input")
    let wIn = try NeuralSupport.required(inputs, 1, "weight")
    guard xIn.rank == 3, wIn.rank == 3, wIn.shape[0] == xIn.shape[1], wIn.shape[1] == 1, wIn.shape[2] >= 1 else {
      throw OpError("input must be [B, C, L] and weight [C, 1, k], got \(xIn.shape) and \(wIn.shape)")
    }
    let (batch, channels, length) = (xIn.shape[0], xIn.shape[1], xIn.shape[2])
    let k = wIn.shape[2]
    let bias = try NeuralSupport.optional(inputs, 2).map { try NeuralSupport.asFloat($0, "bias").elements(as: Float.self) }
    if let bias, bias.count != channels { throw OpError("bias must have \(channels) values, got \(bias.count)") }
    let x = try NeuralSupport.asFloat(xIn, "input").elements(as: Float.self)
    var past = [Float](repeating: 0, count: batch * channels * (k - 1))
    if let p = NeuralSupport.optional(inputs, 3) {
      guard p.shape == [batch, channels, k - 1] else {
        throw OpError("past_state must be [\(batch), \(channels), \(k - 1)], got \(p.shape)")
      }
      past = try NeuralSupport.asFloat(p, "past_state").elements(as: Float.self)
    }
    // The padded sequence [B, C, k−1+L].
    let paddedLength = k - 1 + length
    var padded = [Float](repeating: 0, count: batch * channels * paddedLength)
    for bc in 0..<(batch * channels) {
      for i in 0..<(k - 1) { padded[bc * paddedLength + i] = past[bc * (k - 1) + i] }
      for i in 0..<length { padded[bc * paddedLength + k - 1 + i] = x[bc * length + i] }
    }
    let g = ConvGeometry(
      batch: batch, inputChannels: channels, outputChannels: channels, groups: channels,
      window: WindowGeometry(
        imageSpatial: [paddedLength], outputSpatial: [length], kernel: [k], strides: [1], dilations: [1],
        padsBegin: [0]))
    let w = try NeuralSupport.asFloat(wIn, "weight").elements(as: Float.self)
    var y = [Float](repeating: 0, count: batch * channels * length)
    if !y.isEmpty {
      if let bias {
        ConvKernel.depthwise(g, input: padded, weight: w, bias: bias, output: &y)
      } else {
        ConvKernel.depthwise(g, input: padded, weight: w, bias: nil, output: &y)
      }
    }
    if activation != "none" {
      for i in y.indices { y[i] = y[i] / (1 + expf(-y[i])) }
    }
    var present = [Float](repeating: 0, count: batch * channels * (k - 1))
    for bc in 0..<(batch * channels) {
      for i in 0..<(k - 1) { present[bc * (k - 1) + i] = padded[bc * paddedLength + length + i] }
    }
    return [
      NeuralSupport.restore(Tensor(y, shape: xIn.shape), to: xIn.dtype),
      NeuralSupport.restore(Tensor(present, shape: [batch, channels, k - 1]), to: xIn.dtype),
    ]
  }
}
