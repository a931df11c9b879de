import TuneTensor

/// `Equal`: a == b elementwise, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Equal.html
public struct Equal: ComparisonOperator {
  public static let opType = "Equal"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a == b }
}
