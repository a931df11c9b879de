import TuneTensor

/// `ArgMin`: int64 indices of the smallest elements along `axis` (`keepdims`,
/// `select_last_index` for ties).
/// https://onnx.ai/onnx/operators/onnx__ArgMin.html
public struct ArgMin: Operator {
  public static let opType = "ArgMin"
  var body: ArgExtremum
  public init(node: Node, opset: Int) throws { body = try ArgExtremum(node: node, opset: opset) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try body.run(inputs, maximum: false)]
  }
}
