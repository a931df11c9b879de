import TuneTensor

/// Dropout in training: keeps each element with probability 1 − ratio and scales it by
/// 1/(1 − ratio) (inverted dropout); the mask, drawn from the run's seeded generator, is saved,
/// and the gradient is ∂Y ⊙ mask/(1 − ratio). In inference the op is the identity.
extension Dropout: DifferentiableOperator {
  public func forwardForTraining(_ inputs: [Tensor?], context: ExecutionContext) throws -> (
    outputs: [Tensor], saved: [Tensor]
  ) {
    var ratio = self.ratio
    var training = context.training
    if opset >= 12 {
      if let r = NeuralSupport.optional(inputs, 1), r.count == 1 { ratio = Float(r.doubleValue(at: 0)) }
      if let t = NeuralSupport.optional(inputs, 2), t.count == 1 { training = t.doubleValue(at: 0) != 0 }
    }
    guard training, ratio > 0 else { return (try forward(inputs, context: context), []) }
    let x = try GradientSupport.float(inputs[0], "data")
    guard ratio < 1 else { throw OpError("ratio must be in [0, 1), got \(ratio)") }
    let scale = 1 / (1 - ratio)
    var factor = Tensor(uninitialized: .float, shape: x.shape)
    var y = Tensor(uninitialized: .float, shape: x.shape)
    var keep = [Bool](repeating: false, count: x.count)
    factor.withMutableElements(as: Float.self) { f in
      for i in f.indices {
        keep[i] = context.random.nextFloat() >= ratio
        f[i] = keep[i] ? scale : 0
      }
      x.withElements(as: Float.self) { xp in
        y.withMutableElements(as: Float.self) { yp in for i in yp.indices { yp[i] = xp[i] * f[i] } }
      }
    }
    var outputs = [y]
    if wantsMask {
      outputs.append(opset >= 10 ? Tensor(keep, shape: x.shape) : Tensor(keep.map { $0 ? Float(1) : 0 }, shape: x.shape))
    }
    return (outputs, [factor])
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    guard let factor = saved.first else {
      result[0] = dy
      return result
    }
    var dx = dy
    dx.withMutableElements(as: Float.self) { d in
      factor.withElements(as: Float.self) { f in for i in d.indices { d[i] *= f[i] } }
    }
    result[0] = dx
    return result
  }
}
