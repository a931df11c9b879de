import TuneTensor

/// ONNX `BatchNormalization`:
/// `Y = (X − mean) / sqrt(var + epsilon) · scale + B` per channel (axis 1).
/// https://onnx.ai/onnx/operators/onnx__BatchNormalization.html
///
/// Inference mode uses `input_mean`/`input_var` and produces Y only. With `training_mode = 1`
/// (opset 14+) it normalizes with the batch statistics and also returns the updated running
/// mean and variance (`running = running · momentum + batch · (1 − momentum)`). Opsets before 9
/// had `spatial`; `spatial = 0` (statistics per channel *and* position, shaped `[C, D...]`) is
/// handled by the shapes of the statistics.
public struct BatchNormalization: Operator {
  public static let opType = "BatchNormalization"
  public var epsilon: Float
  public var momentum: Float
  public var trainingMode: Bool

  public init(node: Node, opset: Int) throws {
    epsilon = try node.float("epsilon", default: 1e-5)
    momentum = try node.float("momentum", default: 0.9)
    trainingMode = opset >= 14 ? try node.int("training_mode", default: 0) != 0 : false
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try compute(inputs, inPlace: false)
  }

  /// Inference mode on float32 writes Y over X when the executor hands X over.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard !trainingMode, let shape = inputs.first??.shape,
      let x = MathSupport.takeReusable(&inputs, 0, shape: shape)
    else { return try forward(inputs, context: context) }
    var rest = inputs
    rest[0] = x
    do {
      return try compute(rest, inPlace: true)
    } catch {
      inputs[0] = x  // the executor's message names the input shapes
      throw error
    }
  }

  /// The computation; with `inPlace`, Y is written into X's buffer (X is float32 and owned by
  /// the caller alone).
  func compute(_ inputs: [Tensor?], inPlace: Bool) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    guard xIn.rank >= 2 else { throw OpError("X must be [N, C, ...], got \(xIn.shape)") }
    let names = ["scale", "B", "input_mean", "input_var"]
    let params = try (1...4).map { try NeuralSupport.asFloat(NeuralSupport.required(inputs, $0, names[$0 - 1]), names[$0 - 1]) }
    let batch = xIn.shape[0]
    let channels = xIn.shape[1]
    let plane = xIn.shape[2...].reduce(1, *)
    // Per-channel statistics, or per channel and position (opset < 9 with spatial = 0).
    let perElement = params[0].count == channels * plane && plane > 1
    for (i, p) in params.enumerated() where p.count != (perElement ? channels * plane : channels) {
      throw OpError("\(names[i]) must have \(channels) elements (one per channel), got shape \(p.shape)")
    }
    let x = try NeuralSupport.asFloat(xIn, "X")
    let scale = params[0].elements(as: Float.self)
    let bias = params[1].elements(as: Float.self)
    var mean = params[2].elements(as: Float.self)
    var variance = params[3].elements(as: Float.self)
    var extra: [Tensor] = []
    if trainingMode {
      guard !perElement else { throw OpError("training_mode needs per-channel statistics") }
      var batchMean = [Float](repeating: 0, count: channels)
      var batchVariance = [Float](repeating: 0, count: channels)
      x.withElements(as: Float.self) { xp in
        guard let base = xp.baseAddress, xp.count > 0 else { return }
        NormKernel.channelMoments(
          input: base, batch: batch, channels: channels, plane: plane, mean: &batchMean, variance: &batchVariance)
      }
      let runningMean = zip(mean, batchMean).map { $0 * momentum + $1 * (1 - momentum) }
      let runningVariance = zip(variance, batchVariance).map { $0 * momentum + $1 * (1 - momentum) }
      extra = [
        NeuralSupport.restore(Tensor(runningMean, shape: [channels]), to: inputs[3]!.dtype),
        NeuralSupport.restore(Tensor(runningVariance, shape: [channels]), to: inputs[4]!.dtype),
      ]
      mean = batchMean
      variance = batchVariance
    }
    let count = scale.count
    var multiplier = [Float](repeating: 0, count: count)
    var offset = [Float](repeating: 0, count: count)
    for c in 0..<count {
      multiplier[c] = scale[c] / (variance[c] + epsilon).squareRoot()
      offset[c] = bias[c] - mean[c] * multiplier[c]
    }
    let y = inPlace ? x : Tensor(uninitialized: .float, shape: xIn.shape)
    x.withElements(as: Float.self) { xp in
      do {
        let yb = y.buffer.pointer.assumingMemoryBound(to: Float.self)
        guard let xb = xp.baseAddress, xp.count > 0 else { return }
        if perElement {
          for n in 0..<batch {
            let o = n * count
            for i in 0..<count { yb[o + i] = xb[o + i] * multiplier[i] + offset[i] }
          }
        } else {
          NormKernel.channelAffine(
            input: xb, batch: batch, channels: channels, plane: plane, multiplier: multiplier,
            offset: offset, output: yb)
        }
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)] + extra
  }
}
