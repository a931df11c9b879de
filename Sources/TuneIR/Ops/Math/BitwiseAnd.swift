import TuneTensor

/// `BitwiseAnd`: bitwise and of integer tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__BitwiseAnd.html
public struct BitwiseAnd: Operator {
  public static let opType = "BitwiseAnd"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try Bitwise.binary(inputs, .and)]
  }
}
