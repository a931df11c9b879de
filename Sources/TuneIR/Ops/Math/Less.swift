import TuneTensor

/// `Less`: a < b elementwise, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Less.html
public struct Less: ComparisonOperator {
  public static let opType = "Less"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a < b }
}
