import TuneTensor

/// `Not`: logical negation of a bool tensor.
/// https://onnx.ai/onnx/operators/onnx__Not.html
public struct Not: Operator {
  public static let opType = "Not"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    guard x.dtype == .bool else { throw OpError("expected a bool input, got \(x.dtype)") }
    return [Elementwise.map(x, as: UInt8.self) { $0 == 0 }]
  }
}
