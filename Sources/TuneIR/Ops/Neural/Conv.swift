import TuneTensor

/// ONNX `Conv`: N-D grouped convolution of `X [N, C, D1...]` with `W [M, C/group, k1...]` plus
/// an optional bias `B [M]`, with strides, dilations, explicit pads or `auto_pad`.
/// https://onnx.ai/onnx/operators/onnx__Conv.html
///
/// im2col + `cblas_sgemm`, or the direct depthwise kernel when each group has one input channel.
public struct Conv: Operator {
  public static let opType = "Conv"
  public var autoPad: String
  public var dilations: [Int]?
  public var group: Int
  public var kernelShape: [Int]?
  public var pads: [Int]?
  public var strides: [Int]?

  public init(node: Node, opset: Int) throws {
    autoPad = try node.string("auto_pad", default: "NOTSET")
    dilations = try node.ints("dilations")
    group = try node.int("group", default: 1)
    kernelShape = try node.ints("kernel_shape")
    pads = try node.ints("pads")
    strides = try node.ints("strides")
    try NeuralSupport.checkConvAttributes(autoPad: autoPad, group: group)
  }

  /// The convolution geometry for input and weight shapes (shared with ConvTranspose's tests
  /// and the gradient).
  public func geometry(input: [Int], weight: [Int]) throws -> ConvGeometry {
    guard input.count >= 3, weight.count == input.count else {
      throw OpError("X must be [N, C, D1, ...] and W [M, C/group, k1, ...] of equal rank, got \(input) and \(weight)")
    }
    let spatial = input.count - 2
    let c = input[1]
    let m = weight[0]
    guard c % group == 0, m % group == 0, weight[1] * group == c else {
      throw OpError("channels: X has \(c), W is \(weight) with group \(group); expected W[1]·group == C and M divisible by group")
    }
    let kernel = Array(weight[2...])
    if let kernelShape, kernelShape != kernel {
      throw OpError("kernel_shape \(kernelShape) differs from the weight's \(kernel)")
    }
    let image = Array(input[2...])
    var window = try NeuralSupport.readWindow(
      kernel: kernel, strides: strides, dilations: dilations,
      pads: autoPad == "NOTSET" ? pads : nil, spatialRank: spatial)
    if autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER" {
      NeuralSupport.samePads(input: image, window: &window, lower: autoPad == "SAME_LOWER")
    }
    var out = [Int]()
    for i in 0..<spatial {
      let effective = (kernel[i] - 1) * window.dilations[i] + 1
      let padded = image[i] + window.padsBegin[i] + window.padsEnd[i]
      if padded < effective && image[i] == 0 {
        // An empty axis (a batch of zero images folded into the rows, `BatchFolding`) gives an
        // empty output axis.
        out.append(0)
        continue
      }
      guard padded >= effective else {
        throw OpError("padded input \(padded) is smaller than the dilated kernel \(effective) on spatial axis \(i)")
      }
      out.append((padded - effective) / window.strides[i] + 1)
    }
    return ConvGeometry(
      batch: input[0], inputChannels: c, outputChannels: m, groups: group,
      window: WindowGeometry(
        imageSpatial: image, outputSpatial: out, kernel: kernel, strides: window.strides,
        dilations: window.dilations, padsBegin: window.padsBegin))
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try NeuralSupport.runConvolution(
      inputs, geometry: { try geometry(input: $0, weight: $1) }, outputSpatial: { $0.window.outputSpatial }
    ) { g, x, w, b, y in
      ConvKernel.forward(g, input: x, weight: w, bias: b, output: y)
    }
  }
}
