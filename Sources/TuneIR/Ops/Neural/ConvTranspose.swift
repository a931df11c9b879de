import TuneTensor

/// ONNX `ConvTranspose`: the gradient of `Conv` with respect to its input, used as a learned
/// upsampling. `X [N, C, D...]`, `W [C, M/group, k...]`, optional `B [M]`; output size
/// `stride·(in−1) + output_padding + (k−1)·dilation + 1 − pad_begin − pad_end`, or `output_shape`
/// with the pads derived from it (`auto_pad` SAME_UPPER puts the smaller half first).
/// https://onnx.ai/onnx/operators/onnx__ConvTranspose.html
public struct ConvTranspose: Operator {
  public static let opType = "ConvTranspose"
  public var autoPad: String
  public var dilations: [Int]?
  public var group: Int
  public var kernelShape: [Int]?
  public var outputPadding: [Int]?
  public var outputShape: [Int]?
  public var pads: [Int]?
  public var strides: [Int]?

  public init(node: Node, opset: Int) throws {
    autoPad = try node.string("auto_pad", default: "NOTSET")
    dilations = try node.ints("dilations")
    group = try node.int("group", default: 1)
    kernelShape = try node.ints("kernel_shape")
    outputPadding = try node.ints("output_padding")
    outputShape = try node.ints("output_shape")
    pads = try node.ints("pads")
    strides = try node.ints("strides")
    try NeuralSupport.checkConvAttributes(autoPad: autoPad, group: group)
  }

  /// The geometry of the forward convolution this op transposes (its image is our output).
  public func geometry(input: [Int], weight: [Int]) throws -> ConvGeometry {
    guard input.count >= 3, weight.count == input.count else {
      throw OpError("X must be [N, C, D1, ...] and W [C, M/group, k1, ...] of equal rank, got \(input) and \(weight)")
    }
    let spatial = input.count - 2
    let c = input[1]
    guard weight[0] == c, c % group == 0 else {
      throw OpError("W[0] must equal X's channels \(c) (divisible by group \(group)), got W \(weight)")
    }
    let m = weight[1] * group
    let kernel = Array(weight[2...])
    if let kernelShape, kernelShape != kernel {
      throw OpError("kernel_shape \(kernelShape) differs from the weight's \(kernel)")
    }
    let inSpatial = Array(input[2...])
    var window = try NeuralSupport.readWindow(
      kernel: kernel, strides: strides, dilations: dilations,
      pads: autoPad == "NOTSET" ? pads : nil, spatialRank: spatial)
    let extra = outputPadding ?? Array(repeating: 0, count: spatial)
    guard extra.count == spatial else {
      throw OpError("output_padding has \(extra.count) values, expected \(spatial)")
    }
    var target = outputShape.map { $0.count == spatial + 2 ? Array($0[2...]) : $0 }
    if target == nil && (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
      target = zip(inSpatial, window.strides).map { $0 * $1 }
    }
    var out = [Int]()
    for i in 0..<spatial {
      let full = window.strides[i] * (inSpatial[i] - 1) + extra[i] + (kernel[i] - 1) * window.dilations[i] + 1
      if let target {
        guard target.count == spatial else {
          throw OpError("output_shape has \(target.count) spatial values, expected \(spatial)")
        }
        // A negative total (a larger output_shape) gives negative pads: extra cells that hold
        // only the bias, as in the ONNX reference (floor division).
        let total = full - target[i]
        guard target[i] >= 0 else { throw OpError("output_shape \(target) has a negative size") }
        let half = Int((Double(total) / 2).rounded(.down))
        window.padsBegin[i] = autoPad == "SAME_UPPER" ? half : total - half
        window.padsEnd[i] = total - window.padsBegin[i]
        out.append(target[i])
      } else {
        let size = full - window.padsBegin[i] - window.padsEnd[i]
        guard size >= 0 else { throw OpError("pads leave a negative output size on axis \(i)") }
        out.append(size)
      }
    }
    // output_padding cells past the last window stay zero + bias: fine, the forward conv
    // geometry below simply never reaches them.
    return ConvGeometry(
      batch: input[0], inputChannels: c, outputChannels: m, groups: group,
      window: WindowGeometry(
        imageSpatial: out, outputSpatial: inSpatial, kernel: kernel, strides: window.strides,
        dilations: window.dilations, padsBegin: window.padsBegin))
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try NeuralSupport.runConvolution(
      inputs, geometry: { try geometry(input: $0, weight: $1) }, outputSpatial: { $0.window.imageSpatial }
    ) { g, x, w, b, y in
      ConvKernel.transposeForward(g, input: x, weight: w, bias: b, output: y)
    }
  }
}
