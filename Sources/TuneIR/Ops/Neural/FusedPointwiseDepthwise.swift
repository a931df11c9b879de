import TuneTensor

/// `onnx_tune:FusedPointwiseDepthwise` (made by `PointwiseDepthwiseFusion` for inference, never
/// written to a file): a 1×1 convolution and the depthwise convolution that reads its output,
/// in one pass that never stores the 1×1 output (`ConvKernel.pointwiseDepthwise`) where its
/// planes are large enough for that to pay (`ConvKernel.prefersPointwiseDepthwise`), as the two
/// convolutions one after the other otherwise:
///
///     E = pointwise_activation(Conv(X, W1, B1))          (1×1, group 1, unit strides, no pads)
///     Y = activation(Conv(E, W2, B2))                    (one input channel per group)
///
/// Inputs `X, W1, B1, W2, B2` (the biases optional). The attributes are the depthwise `Conv`'s
/// (`group`, `strides`, `pads`, `dilations`, `kernel_shape`, `auto_pad`), plus `activation` and
/// `pointwise_activation` with their `_params`, as `FusedConv`'s `activation`.
public struct FusedPointwiseDepthwise: Operator {
  public static let opType = "FusedPointwiseDepthwise"
  public static var domain: String { "onnx_tune" }
  public var depthwise: Conv
  public var pointwiseActivation: ConvActivation
  public var activation: ConvActivation

  public init(node: Node, opset: Int) throws {
    depthwise = try Conv(node: node, opset: opset)
    pointwiseActivation = try FusedConv.activation(node, "pointwise_activation")
    activation = try FusedConv.activation(node, "activation")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    let w1In = try NeuralSupport.required(inputs, 1, "W1")
    let w2In = try NeuralSupport.required(inputs, 3, "W2")
    let x = xIn.shape
    guard x.count >= 3, w1In.shape.count == x.count, w1In.shape[1] == x[1], w1In.shape[2...].allSatisfy({ $0 == 1 })
    else {
      throw OpError("X must be [N, C, D1, ...] and W1 [M, C, 1, ...] of equal rank, got \(x) and \(w1In.shape)")
    }
    let spatial = Array(x[2...])
    let first = ConvGeometry(
      batch: x[0], inputChannels: x[1], outputChannels: w1In.shape[0], groups: 1,
      window: WindowGeometry(
        imageSpatial: spatial, outputSpatial: spatial, kernel: spatial.map { _ in 1 },
        strides: spatial.map { _ in 1 }, dilations: spatial.map { _ in 1 }, padsBegin: spatial.map { _ in 0 }))
    let second = try depthwise.geometry(input: [x[0], first.outputChannels] + spatial, weight: w2In.shape)
    guard second.groupInputChannels == 1 else {
      throw OpError("W2 \(w2In.shape) with group \(depthwise.group) is not depthwise over W1's \(first.outputChannels) channels")
    }
    let b1In = NeuralSupport.optional(inputs, 2)
    let b2In = NeuralSupport.optional(inputs, 4)
    if let b1In, b1In.shape != [first.outputChannels] {
      throw OpError("B1 must be [\(first.outputChannels)], got \(b1In.shape)")
    }
    if let b2In, b2In.shape != [second.outputChannels] {
      throw OpError("B2 must be [\(second.outputChannels)], got \(b2In.shape)")
    }
    let (act1, act2) = (pointwiseActivation, activation)
    if !ConvKernel.prefersPointwiseDepthwise(first) {
      // Small planes: the two convolutions as the unfused graph runs them.
      let e = try NeuralSupport.runConvolution(
        [xIn, w1In, b1In], geometry: { _, _ in first }, outputSpatial: { _ in spatial }
      ) { g, x, w, b, out in
        ConvKernel.forward(g, input: x, weight: w, bias: b, output: out, epilogue: ConvEpilogue(activation: act1))
      }[0]
      return try NeuralSupport.runConvolution(
        [e, w2In, b2In], geometry: { _, _ in second }, outputSpatial: { $0.window.outputSpatial }
      ) { g, x, w, b, out in
        ConvKernel.forward(g, input: x, weight: w, bias: b, output: out, epilogue: ConvEpilogue(activation: act2))
      }
    }
    let xf = try NeuralSupport.asFloat(xIn, "X")
    let w1 = try NeuralSupport.asFloat(w1In, "W1")
    let w2 = try NeuralSupport.asFloat(w2In, "W2")
    let b1 = try b1In.map { try NeuralSupport.asFloat($0, "B1") }
    let b2 = try b2In.map { try NeuralSupport.asFloat($0, "B2") }
    var y = Tensor(uninitialized: .float, shape: [second.batch, second.outputChannels] + second.window.outputSpatial)
    xf.withElements(as: Float.self) { xp in
      w1.withElements(as: Float.self) { w1p in
        w2.withElements(as: Float.self) { w2p in
          NeuralSupport.withFloats(b1) { b1p in
            NeuralSupport.withFloats(b2) { b2p in
              y.withMutableElements(as: Float.self) { yp in
                guard yp.count > 0 else { return }
                ConvKernel.pointwiseDepthwise(
                  first, second, input: xp.baseAddress!, weight1: w1p.baseAddress!, bias1: b1p, activation1: act1,
                  weight2: w2p.baseAddress!, bias2: b2p, activation2: act2, output: yp.baseAddress!)
              }
            }
          }
        }
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype)]
  }
}
