import TuneTensor

/// `ReduceProd`: y = Π x over `axes`.
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceProd.html
public struct ReduceProd: ReduceOperator {
  public static let opType = "ReduceProd"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.one }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.multiply(a, e) }
}
