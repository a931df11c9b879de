import TuneTensor

/// `IsNaN`: true where x is NaN.
/// https://onnx.ai/onnx/operators/onnx__IsNaN.html
public struct IsNaN: Operator {
  public static let opType = "IsNaN"
  public init(node: Node, opset: Int) throws {}
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var x = try MathSupport.required(inputs, 0)
    if x.dtype.isHalfPrecision { x = x.converted(to: .float) }
    switch x.dtype {
    case .float: return [Elementwise.map(x, as: Float.self) { $0.isNaN }]
    case .double: return [Elementwise.map(x, as: Double.self) { $0.isNaN }]
    default: throw OpError("expected a floating point input, got \(x.dtype)")
    }
  }
}
