import TuneTensor

/// ONNX `MaxUnpool`: scatters `X` into a zero tensor at the flat positions `I` (MaxPool's
/// Indices). The unpooled size per spatial axis is `(in − 1)·stride + kernel − pad_begin −
/// pad_end`; an `output_shape` input larger than that keeps the unpooled block at its origin,
/// as the ONNX reference does.
/// https://onnx.ai/onnx/operators/onnx__MaxUnpool.html
public struct MaxUnpool: Operator {
  public static let opType = "MaxUnpool"
  public var kernelShape: [Int]
  public var pads: [Int]?
  public var strides: [Int]?

  public init(node: Node, opset: Int) throws {
    guard let k = try node.ints("kernel_shape") else { throw OpError("attribute 'kernel_shape' is required") }
    kernelShape = k
    pads = try node.ints("pads")
    strides = try node.ints("strides")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    let indices = try NeuralSupport.required(inputs, 1, "I")
    guard xIn.rank >= 3, indices.shape == xIn.shape else {
      throw OpError("X must be [N, C, D...] and I of the same shape, got \(xIn.shape) and \(indices.shape)")
    }
    let spatial = xIn.rank - 2
    let window = try NeuralSupport.readWindow(
      kernel: kernelShape, strides: strides, dilations: nil, pads: pads, spatialRank: spatial)
    var inferred = Array(xIn.shape[0..<2])
    for d in 0..<spatial {
      let size = (xIn.shape[d + 2] - 1) * window.strides[d] + kernelShape[d] - window.padsBegin[d] - window.padsEnd[d]
      guard size >= 0 else { throw OpError("pads leave a negative output size on spatial axis \(d)") }
      inferred.append(size)
    }
    var shape = inferred
    if let s = NeuralSupport.optional(inputs, 2) {
      shape = s.int64Values().map { Int($0) }
      guard shape.count == xIn.rank, zip(shape, inferred).allSatisfy({ $0 >= $1 }) else {
        throw OpError("output_shape \(shape) must have rank \(xIn.rank) and be at least \(inferred)")
      }
    }
    let x = try NeuralSupport.asFloat(xIn, "X").elements(as: Float.self)
    let idx = indices.int64Values()
    let total = inferred.reduce(1, *)
    var unpooled = [Float](repeating: 0, count: total)
    for (i, at) in idx.enumerated() {
      guard at >= 0 && at < total else { throw OpError("index \(at) is outside the unpooled tensor of \(total) elements") }
      unpooled[Int(at)] = x[i]
    }
    var y = [Float](repeating: 0, count: shape.reduce(1, *))
    if shape == inferred {
      y = unpooled
    } else if total > 0 {
      for flat in 0..<total {
        var rest = flat
        var target = 0
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
          target += (rest % inferred[d]) * step
          rest /= inferred[d]
          step *= shape[d]
        }
        y[target] = unpooled[flat]
      }
    }
    return [NeuralSupport.restore(Tensor(y, shape: shape), to: xIn.dtype)]
  }
}
