import TuneTensor

/// `ArgMax`: int64 indices of the largest elements along `axis` (`keepdims`,
/// `select_last_index` for ties).
/// https://onnx.ai/onnx/operators/onnx__ArgMax.html
public struct ArgMax: Operator {
  public static let opType = "ArgMax"
  var body: ArgExtremum
  public init(node: Node, opset: Int) throws { body = try ArgExtremum(node: node, opset: opset) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try body.run(inputs, maximum: true)]
  }
}
