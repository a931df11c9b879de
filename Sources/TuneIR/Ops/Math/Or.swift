import TuneTensor

/// `Or`: logical or of bool tensors, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Or.html
public struct Or: LogicalOperator {
  public static let opType = "Or"
  public init(node: Node, opset: Int) throws {}
  public func apply(_ a: Bool, _ b: Bool) -> Bool { a || b }
}
