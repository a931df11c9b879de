import TuneTensor

/// `CumProd`: running products along the axis given by the scalar second input; `exclusive`
/// leaves out the current element, `reverse` multiplies from the end.
/// https://onnx.ai/onnx/operators/onnx__CumProd.html
public struct CumProd: Operator {
  public static let opType = "CumProd"
  var scan: CumulativeScan
  public init(node: Node, opset: Int) throws { scan = try CumulativeScan(node: node) }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try scan.run(inputs, product: true)]
  }
}
