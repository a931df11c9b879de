import TuneTensor

/// Gradient of `Resize` in `nearest` mode: each output gradient is added to the input element
/// it copied. The mapping is found by resizing a tensor of element indices (exact in float32
/// below 2^24 elements) with the same attributes and inputs, so every coordinate
/// transformation and rounding mode the forward pass knows is honoured.
extension Resize: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    guard mode == "nearest" else { throw OpError("gradients of Resize are supported in nearest mode only, not '\(mode)'") }
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    guard x.count < 1 << 24 else { throw OpError("Resize gradient supports inputs below 2^24 elements") }
    var indexInputs = inputs
    indexInputs[0] = Tensor((0..<x.count).map { Float($0) }, shape: x.shape)
    let map = try forward(indexInputs, context: context)[0].elements(as: Float.self)
    guard map.count == dy.count else { throw OpError("output gradient has \(dy.count) elements, the resize gives \(map.count)") }
    var dx = Tensor(zeros: .float, shape: x.shape)
    dx.withMutableElements(as: Float.self) { d in
      dy.withElements(as: Float.self) { g in
        for i in 0..<g.count { d[Int(map[i])] += g[i] }
      }
    }
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    result[0] = dx
    return result
  }
}
