import TuneTensor

/// ONNX `GroupNormalization`: the channels of `X [N, C, ...]` are split into `num_groups`
/// groups, each normalized by its own mean and variance, then `Y = scale · X̂ + bias`.
/// `scale` and `bias` are per channel (`[C]`) from opset 21 and per group (`[num_groups]`) in
/// opset 18.
/// https://onnx.ai/onnx/operators/onnx__GroupNormalization.html
public struct GroupNormalization: Operator {
  public static let opType = "GroupNormalization"
  public var epsilon: Float
  public var groups: Int
  public var perChannel: Bool

  public init(node: Node, opset: Int) throws {
    epsilon = try node.float("epsilon", default: 1e-5)
    guard let g = try node.intIfPresent("num_groups"), g > 0 else {
      throw OpError("attribute 'num_groups' is required and must be positive")
    }
    groups = g
    perChannel = opset >= 21
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    guard xIn.rank >= 2 else { throw OpError("X must be [N, C, ...], got \(xIn.shape)") }
    let channels = xIn.shape[1]
    guard channels % groups == 0 else {
      throw OpError("channels \(channels) are not divisible by num_groups \(groups)")
    }
    let expected = perChannel ? channels : groups
    let scale = try NeuralSupport.asFloat(NeuralSupport.required(inputs, 1, "scale"), "scale")
    let bias = try NeuralSupport.asFloat(NeuralSupport.required(inputs, 2, "bias"), "bias")
    guard scale.count == expected, bias.count == expected else {
      throw OpError("scale and bias must have \(expected) elements, got \(scale.shape) and \(bias.shape)")
    }
    let plane = xIn.shape[2...].reduce(1, *)
    let rows = xIn.shape[0] * groups
    let length = channels / groups * plane
    let x = try NeuralSupport.asFloat(xIn, "X")
    var mean = [Float](repeating: 0, count: rows)
    var inv = mean
    let s = scale.elements(as: Float.self)
    let b = bias.elements(as: Float.self)
    var multiplier = [Float](repeating: 0, count: xIn.shape[0] * channels)
    var offset = multiplier
    var y = Tensor(uninitialized: .float, shape: xIn.shape)
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        guard let xb = xp.baseAddress, let yb = yp.baseAddress, xp.count > 0 else { return }
        NormKernel.moments(input: xb, rows: rows, length: length, epsilon: epsilon, mean: &mean, invStdDev: &inv)
        for p in 0..<multiplier.count {
          let c = p % channels
          let row = (p / channels) * groups + c / (channels / groups)
          let k = perChannel ? c : c / (channels / groups)
          multiplier[p] = inv[row] * s[k]
          offset[p] = b[k] - mean[row] * multiplier[p]
        }
        NormKernel.channelAffine(
          input: xb, batch: 1, channels: multiplier.count, plane: plane, multiplier: multiplier,
          offset: offset, output: yb)
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)]
  }
}
