import TuneTensor

/// `BitCast`: the same bits read as the element type `to`, which must have the input's bit
/// width (no conversion; the buffer is shared).
/// https://onnx.ai/onnx/operators/onnx__BitCast.html
public struct BitCast: Operator {
  public static let opType = "BitCast"
  public var to: DType
  public init(node: Node, opset: Int) throws {
    guard let raw = try node.intIfPresent("to") else { throw OpError("attribute 'to' is required") }
    guard let t = Int32(exactly: raw).flatMap(DType.init(rawValue:)), t != .string else {
      throw OpError("attribute 'to' should be a non-string element type, got \(raw)")
    }
    to = t
  }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    guard x.dtype != .string, x.dtype.bitWidth == to.bitWidth else {
      throw OpError("cannot bit-cast \(x.dtype) (\(x.dtype.bitWidth) bits) to \(to) (\(to.bitWidth) bits)")
    }
    return [Tensor(dtype: to, shape: x.shape, buffer: x.buffer)]
  }
}
