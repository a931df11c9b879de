import TuneTensor

/// `Where`: y = condition ? x : y elementwise, the three inputs broadcast together.
/// https://onnx.ai/onnx/operators/onnx__Where.html
public struct Where: Operator {
  public static let opType = "Where"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let c = try MathSupport.required(inputs, 0)
    let x = try MathSupport.required(inputs, 1)
    let y = try MathSupport.required(inputs, 2)
    guard c.dtype == .bool else { throw OpError("expected a bool condition, got \(c.dtype)") }
    try MathSupport.sameDType(x, y)
    let shape = try MathSupport.broadcastShape([c.shape, x.shape, y.shape])
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
}
