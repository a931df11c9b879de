import TuneTensor

/// `Greater`: a > b elementwise, with broadcasting.
/// https://onnx.ai/onnx/operators/onnx__Greater.html
public struct Greater: ComparisonOperator {
  public static let opType = "Greater"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a > b }
}
