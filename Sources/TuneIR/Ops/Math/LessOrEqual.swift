import TuneTensor

/// `LessOrEqual`: a ≤ b elementwise, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__LessOrEqual.html
public struct LessOrEqual: ComparisonOperator {
  public static let opType = "LessOrEqual"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a <= b }
}
