import TuneTensor

/// `ReduceL2`: y = √(Σ x²) over `axes`.
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceL2.html
public struct ReduceL2: ReduceOperator {
  public static let opType = "ReduceL2"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, T.multiply(e, e)) }
  public func finish<T: NumericScalar>(_ a: T, count: Int) -> T { ReduceMath.sqrt(a) }
}
