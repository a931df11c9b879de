import TuneTensor

/// `ReduceMax`: y = max x over `axes` (-inf or the type's minimum for an empty set; bool from opset 20).
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceMax.html
public struct ReduceMax: ReduceOperator {
  public static let opType = "ReduceMax"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.lowest }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.maximum(a, e) }
  public var acceptsBool: Bool { true }
}
