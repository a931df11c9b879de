import TuneTensor

/// `ReduceL1`: y = Σ |x| over `axes`.
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceL1.html
public struct ReduceL1: ReduceOperator {
  public static let opType = "ReduceL1"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, T.absolute(e)) }
}
