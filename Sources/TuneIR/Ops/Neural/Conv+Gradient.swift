import TuneTensor

/// Gradient of `Conv` (any group count, strides, dilations, pads): ∂X and ∂W by
/// `ConvKernel.backward` (GEMM per chunk of images and group over the forward pass's im2col
/// layout, or the depthwise kernel), ∂B = Σ over images and positions of ∂Y.
extension Conv: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let w = try GradientSupport.float(inputs[1], "W")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let g = try geometry(input: x.shape, weight: w.shape)
    let needX = needed[0]
    let needW = needed.count > 1 && needed[1]
    // (ConvKernel.backward overwrites both.)
    var dx = needX ? Tensor(uninitialized: .float, shape: x.shape) : nil
    var dw = needW ? Tensor(uninitialized: .float, shape: w.shape) : nil
    x.withElements(as: Float.self) { xp in
      w.withElements(as: Float.self) { wp in
        dy.withElements(as: Float.self) { gp in
          func run(_ gradInput: UnsafeMutablePointer<Float>?, _ gradWeight: UnsafeMutablePointer<Float>?) {
            ConvKernel.backward(
              g, input: xp.baseAddress!, weight: wp.baseAddress!, gradOutput: gp.baseAddress!, gradInput: gradInput,
              gradWeight: gradWeight)
          }
          switch (dx != nil, dw != nil) {
          case (true, true):
            dx!.withMutableElements(as: Float.self) { d in dw!.withMutableElements(as: Float.self) { e in run(d.baseAddress, e.baseAddress) } }
          case (true, false): dx!.withMutableElements(as: Float.self) { d in run(d.baseAddress, nil) }
          case (false, true): dw!.withMutableElements(as: Float.self) { e in run(nil, e.baseAddress) }
          case (false, false): break
          }
        }
      }
    }
    var result: [Tensor?] = Array(repeating: nil, count: inputs.count)
    result[0] = dx
    if inputs.count > 1 { result[1] = dw }
    if inputs.count > 2, needed[2], let b = inputs[2] { result[2] = GradientSupport.channelSums(dy, bias: b) }
    return result
  }
}
