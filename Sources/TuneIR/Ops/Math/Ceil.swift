import TuneTensor

/// `Ceil`: y = ⌈x⌉.
/// https://onnx.ai/onnx/operators/onnx__Ceil.html
public struct Ceil: UnaryFloatOperator {
  public static let opType = "Ceil"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.up) }
}
