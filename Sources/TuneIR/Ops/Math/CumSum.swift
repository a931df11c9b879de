import TuneTensor

/// `CumSum`: running sums along the axis given by the scalar second input; `exclusive` leaves
/// out the current element, `reverse` sums from the end.
/// https://onnx.ai/onnx/operators/onnx__CumSum.html
public struct CumSum: Operator {
  public static let opType = "CumSum"
  var scan: CumulativeScan
  public init(node: Node, opset: Int) throws { scan = try CumulativeScan(node: node) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try scan.run(inputs, product: false)]
  }
}
