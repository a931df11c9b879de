import TuneTensor

/// `onnx_tune:FoldedDepthwiseConv` (made by `BatchFolding` for inference, never written to a
/// file): a depthwise convolution (one input and one output channel per group) on a tensor whose
/// batch is folded into its rows.
///
///     X: [1, C, N·H, W]    channel c of image n is rows n·H ..< (n+1)·H of channel c
///     Y: [1, C, N·H', W']  the same layout, H' × W' the convolution's output plane
///
/// In memory that is `[C][N][H][W]`: the NCHW tensor `[1, C·N, H, W]`, each plane one image's
/// channel. So the op runs the NCHW depthwise kernels on that view: the blocked kernel reads
/// channel c's filter for its N planes (`planesPerFilter`); the others get each filter and bias
/// repeated N times. Padding stays inside each image.
///
/// Inputs `X, W, B` (B optional), W `[C, 1, k1, k2]`. The attributes are `Conv`'s (`group` must
/// be C), `FusedConv`'s `activation` and `activation_params`, and `image_height` (H, required).
public struct FoldedDepthwiseConv: Operator {
  public static let opType = "FoldedDepthwiseConv"
  public static var domain: String { "onnx_tune" }
  public var conv: Conv
  public var activation: ConvActivation
  public var imageHeight: Int

  public init(node: Node, opset: Int) throws {
    conv = try Conv(node: node, opset: opset)
    activation = try FusedConv.activation(node, "activation")
    imageHeight = try node.int("image_height", default: 0)
    guard imageHeight > 0 else { throw OpError("image_height must be given and positive, got \(imageHeight)") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    let wIn = try NeuralSupport.required(inputs, 1, "W")
    let x = xIn.shape
    guard x.count == 4, x[0] == 1, x[2] % imageHeight == 0 else {
      throw OpError("X must be [1, C, N·\(imageHeight), W] (a batch folded into its rows), got \(x)")
    }
    let images = x[2] / imageHeight
    let channels = x[1]
    let per = try conv.geometry(input: [images, channels, imageHeight, x[3]], weight: wIn.shape)
    guard per.groups == channels, per.outputChannels == channels else {
      throw OpError("W \(wIn.shape) with group \(conv.group) is not one filter per channel of X's \(channels)")
    }
    let bIn = NeuralSupport.optional(inputs, 2)
    if let bIn, bIn.shape != [channels] { throw OpError("B must be [\(channels)], got \(bIn.shape)") }
    let planes = channels * images
    let out = per.window.outputSpatial
    // The NCHW view: one image of C·N planes.
    let g = ConvGeometry(batch: 1, inputChannels: planes, outputChannels: planes, groups: planes, window: per.window)
    let xf = try NeuralSupport.asFloat(xIn, "X")
    let wf = try NeuralSupport.asFloat(wIn, "W")
    let bf = try bIn.map { try NeuralSupport.asFloat($0, "B") }
    var y = Tensor(uninitialized: .float, shape: [1, channels, images * out[0], out[1]])
    let epilogue = ConvEpilogue(activation: activation)
    xf.withElements(as: Float.self) { xp in
      wf.withElements(as: Float.self) { wp in
        y.withMutableElements(as: Float.self) { yp in
          guard yp.count > 0, xp.count > 0 else { return }
          NeuralSupport.withFloats(bf) { bp in
            if ConvKernel.useBlockedDepthwise && ConvKernel.prefersBlockedDepthwise(g) {
              // Eight planes at a time, each reading its channel's filter: no copies.
              ConvKernel.depthwise3x3Blocked(
                g, input: xp.baseAddress!, weight: wp.baseAddress!, bias: bp, output: yp.baseAddress!,
                epilogue: epilogue, planesPerFilter: images)
              return
            }
            // Other kernels take one filter per plane: each channel's repeated for its images.
            let taps = per.window.kernelCount
            let weights = UnsafeMutablePointer<Float>.allocate(capacity: planes * taps)
            defer { weights.deallocate() }
            let biases = bp.map { _ in UnsafeMutablePointer<Float>.allocate(capacity: planes) }
            defer { biases?.deallocate() }
            for c in 0..<channels {
              for n in 0..<images { (weights + (c * images + n) * taps).update(from: wp.baseAddress! + c * taps, count: taps) }
              if let bp, let biases { (biases + c * images).update(repeating: bp[c], count: images) }
            }
            ConvKernel.forward(
              g, input: xp.baseAddress!, weight: weights, bias: biases.map { UnsafePointer($0) }, output: yp.baseAddress!,
              epilogue: epilogue)
          }
        }
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)]
  }
}
