import TuneTensor

/// `Xor`: logical exclusive or of bool tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Xor.html
public struct Xor: LogicalOperator {
  public static let opType = "Xor"
  public init(node: Node, opset: Int) throws {}
  public func apply(_ a: Bool, _ b: Bool) -> Bool { a != b }
}
