import TuneTensor

/// `ReduceMean`: y = Σ x / n over `axes` (integers divide truncating).
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceMean.html
public struct ReduceMean: ReduceOperator {
  public static let opType = "ReduceMean"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }
  public func finish<T: NumericScalar>(_ a: T, count: Int) -> T { T.divide(a, T(clamping: Double(count))) }
}
