import TuneTensor

/// ONNX `Dropout`. In inference (the default) the output is the input and the optional mask is
/// all true. When dropping — the `training_mode` input (opset 12+) is true, or the context is
/// training — each element is zeroed with probability `ratio` and the rest scaled by
/// `1 / (1 − ratio)`, using the context's seeded generator.
/// The ratio is an attribute before opset 12 and an optional input from 12; the mask is bool
/// from opset 10 and of the input's type before.
/// https://onnx.ai/onnx/operators/onnx__Dropout.html
public struct Dropout: Operator {
  public static let opType = "Dropout"
  public var ratio: Float
  public var opset: Int
  public var wantsMask: Bool

  public init(node: Node, opset: Int) throws {
    ratio = opset < 12 ? try node.float("ratio", default: 0.5) : 0.5
    self.opset = opset
    wantsMask = node.outputs.count > 1 && !node.outputs[1].isEmpty
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "data")
    guard x.dtype.isFloatingPoint || x.dtype.isInteger else {
      throw OpError("data must be numeric, got \(x.dtype)")
    }
    var ratio = self.ratio
    var training = context.training
    if opset >= 12 {
      if let r = NeuralSupport.optional(inputs, 1) {
        guard r.count == 1 else { throw OpError("ratio must be a scalar, got shape \(r.shape)") }
        ratio = Float(r.doubleValue(at: 0))
      }
      if let t = NeuralSupport.optional(inputs, 2) {
        guard t.count == 1 else { throw OpError("training_mode must be a scalar, got shape \(t.shape)") }
        training = t.doubleValue(at: 0) != 0
      }
    }
    guard ratio >= 0 && ratio < 1 else { throw OpError("ratio must be in [0, 1), got \(ratio)") }
    let maskType: DType = opset >= 10 ? .bool : x.dtype
    if !training || ratio == 0 {
      guard wantsMask else { return [x] }
      var mask = Tensor(uninitialized: maskType, shape: x.shape)
      let one = Tensor(scalar: Float(1)).converted(to: maskType)
      let size = maskType.elementSize
      for i in 0..<mask.count {
        (mask.buffer.pointer + i * size).copyMemory(from: one.buffer.pointer, byteCount: size)
      }
      mask.strings = []
      return [x, mask]
    }
    let scale = 1 / (1 - ratio)
    let xf = try NeuralSupport.asFloat(x, "data")
    var y = Tensor(uninitialized: .float, shape: x.shape)
    var keep = [Bool](repeating: true, count: x.count)
    xf.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        for i in 0..<xp.count {
          let k = context.random.nextFloat() >= ratio
          keep[i] = k
          yp[i] = k ? xp[i] * scale : 0
        }
      }
    }
    let output = NeuralSupport.restore(y, to: x.dtype)
    guard wantsMask else { return [output] }
    let mask = Tensor(keep, shape: x.shape).converted(to: maskType)
    return [output, mask]
  }
}
