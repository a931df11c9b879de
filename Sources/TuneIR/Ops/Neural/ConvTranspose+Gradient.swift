import TuneTensor

/// Gradient of `ConvTranspose`, whose forward pass is Y_g = col2im(W_gᵀ·X_g) + B (W is
/// [C, M/group, k...]). With cols = im2col(∂Y_g) over the same window ([(M/g)·K, P_in]):
///   ∂X_g = W_g·cols,  ∂W_g += X_g·colsᵀ,  ∂B = Σ over images and positions of ∂Y.
extension ConvTranspose: DifferentiableOperator {
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
    let cg = g.inputChannels / groups
    let mg = g.outputChannels / groups
    let kk = mg * window.kernelCount
    let pin = window.outputCount
    let pout = window.imageCount
    let needX = needed[0]
    let needW = needed.count > 1 && needed[1]
    var dx = needX ? Tensor(zeros: .float, shape: x.shape) : nil
    var dw = needW ? Tensor(zeros: .float, shape: w.shape) : nil
    var columns = [Float](repeating: 0, count: kk * pin)
    x.withElements(as: Float.self) { xp in
      w.withElements(as: Float.self) { wp in
        dy.withElements(as: Float.self) { gp in
          columns.withUnsafeMutableBufferPointer { cols in
            for n in 0..<g.batch {
              for group in 0..<groups {
                let gradOut = gp.baseAddress! + (n * g.outputChannels + group * mg) * pout
                Im2Col.im2col(image: gradOut, channels: mg, geometry: window, columns: cols.baseAddress!, ldcol: pin, columnOffset: 0)
                let xg = xp.baseAddress! + (n * g.inputChannels + group * cg) * pin
                let wg = wp.baseAddress! + group * cg * kk
                dx?.withMutableElements(as: Float.self) { d in
                  GradientSupport.matmul(
                    wg, cols.baseAddress!, into: d.baseAddress! + (n * g.inputChannels + group * cg) * pin, m: cg, n: pin,
                    k: kk, transA: false, transB: false)
                }
                dw?.withMutableElements(as: Float.self) { d in
                  GradientSupport.matmul(
                    xg, cols.baseAddress!, into: d.baseAddress! + group * cg * kk, m: cg, n: kk, k: pin, transA: false,
                    transB: true, beta: 1)
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
