import TuneTensor

/// `BitwiseOr`: bitwise or of integer tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__BitwiseOr.html
public struct BitwiseOr: Operator {
  public static let opType = "BitwiseOr"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try Bitwise.binary(inputs, .or)]
  }
}
