import TuneTensor

/// `Floor`: y = ⌊x⌋.
/// https://onnx.ai/onnx/operators/onnx__Floor.html
public struct Floor: DifferentiableUnaryFloatOperator {
  public static let opType = "Floor"
  public init(node: Node, opset: Int) throws {}
  public func apply<T: FloatScalar>(_ x: T) -> T { x.rounded(.down) }
  public func derivative(_ x: Float, _ y: Float) -> Float { 0 }
}
