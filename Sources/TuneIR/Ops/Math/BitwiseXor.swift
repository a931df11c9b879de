import TuneTensor

/// `BitwiseXor`: bitwise xor of integer tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__BitwiseXor.html
public struct BitwiseXor: Operator {
  public static let opType = "BitwiseXor"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try Bitwise.binary(inputs, .xor)]
  }
}
