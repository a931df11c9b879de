import TuneTensor

/// `And`: logical and of bool tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__And.html
public struct And: LogicalOperator {
  public static let opType = "And"
  public init(node: Node, opset: Int) throws {}
  public func apply(_ a: Bool, _ b: Bool) -> Bool { a && b }
}
