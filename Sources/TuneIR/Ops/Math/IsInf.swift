import TuneTensor

/// `IsInf`: true where x is +inf (when `detect_positive`) or -inf (when `detect_negative`).
/// https://onnx.ai/onnx/operators/onnx__IsInf.html
public struct IsInf: Operator {
  public static let opType = "IsInf"
  public var detectNegative: Bool
  public var detectPositive: Bool
  public init(node: Node, opset: Int) throws {
    detectNegative = try node.int("detect_negative", default: 1) != 0
    detectPositive = try node.int("detect_positive", default: 1) != 0
  }
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var x = try MathSupport.required(inputs, 0)
    if x.dtype.isHalfPrecision { x = x.converted(to: .float) }
    let (neg, pos) = (detectNegative, detectPositive)
    switch x.dtype {
    case .float:
      return [Elementwise.map(x, as: Float.self) { $0.isInfinite && ($0 < 0 ? neg : pos) }]
    case .double:
      return [Elementwise.map(x, as: Double.self) { $0.isInfinite && ($0 < 0 ? neg : pos) }]
    default: throw OpError("expected a floating point input, got \(x.dtype)")
    }
  }
}
