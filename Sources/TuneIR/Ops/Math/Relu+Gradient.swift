import TuneTensor

/// Gradient of `Relu`: ∂X = ∂Y where X > 0, else 0.
extension Relu: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    guard let x = inputs[0], x.dtype == .float, let dy = outputGradients[0], dy.dtype == .float else {
      throw OpError("Relu gradient needs float X and dY")
    }
    var dx = dy
    dx.withMutableElements(as: Float.self) { d in
      x.withElements(as: Float.self) { xp in for i in d.indices where !(xp[i] > 0) { d[i] = 0 } }
    }
    return [dx]
  }
}
