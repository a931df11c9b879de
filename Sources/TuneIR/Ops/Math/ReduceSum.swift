import TuneTensor

/// `ReduceSum`: y = Σ x over `axes`.
/// `axes` is an attribute before opset 13 and the optional second input from 13.
/// https://onnx.ai/onnx/operators/onnx__ReduceSum.html
public struct ReduceSum: ReduceOperator {
  public static let opType = "ReduceSum"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 13)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }
}
