import TuneTensor

/// `ReduceMin`: y = min x over `axes` (+inf or the type's maximum for an empty set; bool from opset 20).
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceMin.html
public struct ReduceMin: ReduceOperator {
  public static let opType = "ReduceMin"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.highest }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.minimum(a, e) }
  public var acceptsBool: Bool { true }
}
