import TuneTensor

/// `Equal`: a == b elementwise, with broadcasting (numbers, bool, and strings from opset 19).
/// https://onnx.ai/onnx/operators/onnx__Equal.html
public struct Equal: ComparisonOperator {
  public static let opType = "Equal"
  public init(node: Node, opset: Int) throws {}
  public func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool { a == b }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    guard a.dtype == .string || b.dtype == .string else { return [try compareNumbers(a, b)] }
    try MathSupport.sameDType(a, b)
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: .bool)
    let equal = (0..<Tensor.elementCount(shape)).map {
      a.strings[Elementwise.naiveOffset($0, shape, a.shape)]
        == b.strings[Elementwise.naiveOffset($0, shape, b.shape)]
    }
    return [Tensor(equal, shape: shape)]
  }
}
