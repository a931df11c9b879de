import TuneTensor

/// `GreaterOrEqual`: a ≥ b elementwise, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__GreaterOrEqual.html
public struct GreaterOrEqual: ComparisonOperator {
  public static let opType = "GreaterOrEqual"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a >= b }
}
