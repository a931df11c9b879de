import TuneTensor

/// Gradient of `Conv` (any group count, strides, dilations, pads), per image and group with the
/// forward pass's im2col layout (K = C/groups · kernel size, P = output positions):
///   ∂W_g += ∂Y_g[M/g, P] · cols_gᵀ[P, K]
///   ∂X_g  = col2im(W_gᵀ[K, M/g] · ∂Y_g[M/g, P])     (col2im is im2col's adjoint)
///   ∂B    = Σ over images and positions of ∂Y
extension Conv: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let w = try GradientSupport.float(inputs[1], "W")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let g = try geometry(input: x.shape, weight: w.shape)
    let window = g.window
    let groups = g.groups
    let cg = g.groupInputChannels
    let mg = g.groupOutputChannels
    let k = g.groupReduction
    let p = window.outputCount
    let imageSize = window.imageCount
    let needX = needed[0]
    let needW = needed.count > 1 && needed[1]
    var dx = needX ? Tensor(zeros: .float, shape: x.shape) : nil
    var dw = needW ? Tensor(zeros: .float, shape: w.shape) : nil
    var columns = [Float](repeating: 0, count: k * p)
    x.withElements(as: Float.self) { xp in
      w.withElements(as: Float.self) { wp in
        dy.withElements(as: Float.self) { gp in
          columns.withUnsafeMutableBufferPointer { cols in
            for n in 0..<g.batch {
              for group in 0..<groups {
                let image = xp.baseAddress! + (n * g.inputChannels + group * cg) * imageSize
                let gradOut = gp.baseAddress! + (n * g.outputChannels + group * mg) * p
                let weights = wp.baseAddress! + group * mg * k
                if needW {
                  Im2Col.im2col(
                    image: image, channels: cg, geometry: window, columns: cols.baseAddress!, ldcol: p, columnOffset: 0)
                  dw!.withMutableElements(as: Float.self) { d in
                    GradientSupport.matmul(
                      gradOut, cols.baseAddress!, into: d.baseAddress! + group * mg * k, m: mg, n: k, k: p,
                      transA: false, transB: true, beta: 1)
                  }
                }
                if needX {
                  GradientSupport.matmul(weights, gradOut, into: cols.baseAddress!, m: k, n: p, k: mg, transA: true, transB: false)
                  dx!.withMutableElements(as: Float.self) { d in
                    Im2Col.col2im(
                      columns: cols.baseAddress!, ldcol: p, columnOffset: 0, channels: cg, geometry: window,
                      image: d.baseAddress! + (n * g.inputChannels + group * cg) * imageSize)
                  }
                }
              }
            }
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
