import TuneTensor

/// ONNX `Split`: consecutive pieces of the input along `axis`. Sizes come from `split` (an
/// attribute before opset 13 (in opset 1 also an input), an optional input from 13); without them the axis is split into
/// one equal piece per output (opset 18: `num_outputs` pieces, the last one smaller when the
/// axis does not divide evenly).
/// https://onnx.ai/onnx/operators/onnx__Split.html
public struct Split: DataMovementGradient {
  public static let opType = "Split"
  public var axis: Int
  public var splitAttribute: [Int]?
  public var splitFromInput: Bool
  public var numOutputs: Int?
  /// How many outputs the node declares.
  public var outputCount: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 0)
    // Opset 1 took `split` as an attribute or an input; 2–12 as an attribute; 13+ as an input.
    splitFromInput = opset >= 13 || opset < 2
    splitAttribute = opset >= 13 ? nil : try node.ints("split")
    numOutputs = opset >= 18 ? try node.intIfPresent("num_outputs") : nil
    outputCount = node.outputs.count
    if let n = numOutputs, n < 1 || n != outputCount {
      throw OpError("num_outputs \(n) should equal the node's \(outputCount) outputs")
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    let a = try ShapeSupport.axis(axis, rank: x.rank)
    let dim = x.shape[a]
    var sizes = splitAttribute
    // An empty `split` tensor counts as omitted (as onnxruntime reads it).
    if splitFromInput, let t = ShapeSupport.optionalInput(inputs, 1), t.count > 0 {
      sizes = try ShapeSupport.ints(t, "split")
    }
    if let s = sizes {
      guard s.allSatisfy({ $0 >= 0 }), s.reduce(0, +) == dim else {
        throw OpError("split \(s) does not add up to dimension \(a) of \(x.shape)")
      }
    } else if let n = numOutputs {
      let chunk = (dim + n - 1) / n
      var s = [Int](repeating: chunk, count: n)
      s[n - 1] = dim - chunk * (n - 1)
      guard s[n - 1] >= 0 else { throw OpError("cannot split dimension \(dim) into \(n) outputs") }
      sizes = s
    } else {
      let n = max(outputCount, 1)
      guard dim % n == 0 else {
        throw OpError("dimension \(a) of \(x.shape) does not split evenly into \(n) outputs")
      }
      sizes = [Int](repeating: dim / n, count: n)
    }
    try ShapeSupport.requireMovable(x)
    var start = 0
    return sizes!.map { s in
      defer { start += s }
      return ShapeSupport.slice(x, axis: a, start: start, count: s)
    }
  }
}
