import TuneTensor

/// `Log`: y = ln x.
/// https://onnx.ai/onnx/operators/onnx__Log.html
public struct Log: UnaryFloatOperator {
  public static let opType = "Log"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { T.log(x) }
}
