import TuneTensor

/// `ReduceLogSum`: y = ln Σ x over `axes`.
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceLogSum.html
public struct ReduceLogSum: ReduceOperator {
  public static let opType = "ReduceLogSum"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }
  public func finish<T: NumericScalar>(_ a: T, count: Int) -> T { ReduceMath.log(a) }
}
