import TuneTensor

/// `Where`: y = condition ? x : y elementwise, the three inputs broadcast together.
/// https://onnx.ai/onnx/operators/onnx__Where.html
public struct Where: DifferentiableOperator {
  public static let opType = "Where"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let c = try MathSupport.required(inputs, 0)
    let x = try MathSupport.required(inputs, 1)
    let y = try MathSupport.required(inputs, 2)
    guard c.dtype == .bool else { throw OpError("expected a bool condition, got \(c.dtype)") }
    try MathSupport.sameDType(x, y)
    let shape = try MathSupport.broadcastShape([c.shape, x.shape, y.shape], dtype: x.dtype)
    if x.dtype == .string {
      let strings = (0..<Tensor.elementCount(shape)).map { i -> [UInt8] in
        let ci = Elementwise.naiveOffset(i, shape, c.shape)
        let pick = c.buffer.pointer.load(fromByteOffset: ci, as: UInt8.self) != 0
        return pick
          ? x.strings[Elementwise.naiveOffset(i, shape, x.shape)]
          : y.strings[Elementwise.naiveOffset(i, shape, y.shape)]
      }
      return [Tensor(strings: strings, shape: shape)]
    }
    guard x.dtype.elementSize > 0 else { throw MathSupport.unsupported(x.dtype) }
    return [Elementwise.select(c, x, y, shape: shape)]
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    // The condition picks which of x and y receives each element's gradient.
    guard let g = MathGradients.outputGradient(outputGradients) else { return [nil, nil, nil] }
    let c = try MathSupport.required(inputs, 0)
    func pick(_ takeX: Bool) -> Tensor {
      Elementwise.zip(g, c, as: Float.self, UInt8.self, shape: g.shape) { v, c in (c != 0) == takeX ? v : 0 }
    }
    return [nil, needed.count > 1 && needed[1] ? pick(true) : nil, needed.count > 2 && needed[2] ? pick(false) : nil]
  }
}
