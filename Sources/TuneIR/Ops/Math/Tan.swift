import TuneTensor

/// `Tan`: y = tan x.
/// https://onnx.ai/onnx/operators/onnx__Tan.html
public struct Tan: UnaryFloatOperator {
  public static let opType = "Tan"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.tan(x) }
}
