import TuneTensor

/// `BitwiseNot`: flips every bit of an integer tensor.
/// https://onnx.ai/onnx/operators/onnx__BitwiseNot.html
public struct BitwiseNot: Operator {
  public static let opType = "BitwiseNot"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try Bitwise.not(inputs)]
  }
}
