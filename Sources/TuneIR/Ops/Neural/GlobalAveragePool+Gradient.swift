import TuneTensor

/// Gradient of `GlobalAveragePool`: each input position gets ∂Y[n,c] / (spatial size).
extension GlobalAveragePool: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let rows = x.shape[0] * x.shape[1]
    let plane = x.count / max(rows, 1)
    var dx = Tensor(uninitialized: .float, shape: x.shape)
    let scale = 1 / Float(max(plane, 1))
    dx.withMutableElements(as: Float.self) { d in
      dy.withElements(as: Float.self) { g in
        for r in 0..<rows {
          let v = g[r] * scale
          for p in 0..<plane { d[r * plane + p] = v }
        }
      }
    }
    return [dx]
  }
}
