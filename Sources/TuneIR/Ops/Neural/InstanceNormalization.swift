import TuneTensor

/// ONNX `InstanceNormalization`: normalizes each `[n, c]` plane by its own mean and variance,
/// `y = scale[c] · (x − mean) / sqrt(var + epsilon) + B[c]`.
/// https://onnx.ai/onnx/operators/onnx__InstanceNormalization.html
public struct InstanceNormalization: Operator {
  public static let opType = "InstanceNormalization"
  public var epsilon: Float

  public init(node: Node, opset: Int) throws {
    epsilon = try node.float("epsilon", default: 1e-5)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "input")
    guard xIn.rank >= 2 else { throw OpError("input must be [N, C, ...], got \(xIn.shape)") }
    let channels = xIn.shape[1]
    let scale = try NeuralSupport.asFloat(NeuralSupport.required(inputs, 1, "scale"), "scale")
    let bias = try NeuralSupport.asFloat(NeuralSupport.required(inputs, 2, "B"), "B")
    guard scale.count == channels, bias.count == channels else {
      throw OpError("scale and B must have \(channels) elements, got \(scale.shape) and \(bias.shape)")
    }
    let planes = xIn.shape[0] * channels
    let plane = xIn.shape[2...].reduce(1, *)
    let x = try NeuralSupport.asFloat(xIn, "input")
    var y = Tensor(uninitialized: .float, shape: xIn.shape)
    var mean = [Float](repeating: 0, count: planes)
    var inv = [Float](repeating: 0, count: planes)
    let s = scale.elements(as: Float.self)
    let b = bias.elements(as: Float.self)
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        guard let xb = xp.baseAddress, let yb = yp.baseAddress, xp.count > 0 else { return }
        NormKernel.moments(input: xb, rows: planes, length: plane, epsilon: epsilon, mean: &mean, invStdDev: &inv)
        // Fold the per-channel scale into each plane's factor: y = x·a + (b − mean·a).
        var multiplier = [Float](repeating: 0, count: planes)
        var offset = [Float](repeating: 0, count: planes)
        for p in 0..<planes {
          let c = p % channels
          multiplier[p] = inv[p] * s[c]
          offset[p] = b[c] - mean[p] * multiplier[p]
        }
        NormKernel.channelAffine(
          input: xb, batch: 1, channels: planes, plane: plane, multiplier: multiplier, offset: offset,
          output: yb)
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)]
  }
}
