import TuneTensor

/// `Softsign`: y = x / (1 + |x|).
/// https://onnx.ai/onnx/operators/onnx__Softsign.html
public struct Softsign: UnaryFloatOperator {
  public static let opType = "Softsign"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x / (1 + Swift.abs(x)) }
}
