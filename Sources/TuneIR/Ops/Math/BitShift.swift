import TuneTensor

/// `BitShift`: shifts unsigned integers left or right (`direction`), with broadcasting;
/// shifting by the bit width or more gives 0.
/// https://onnx.ai/onnx/operators/onnx__BitShift.html
public struct BitShift: Operator {
  public static let opType = "BitShift"
  public var left: Bool
  public init(node: Node, opset: Int) throws {
    let d = try node.stringIfPresent("direction")
    guard d == "LEFT" || d == "RIGHT" else {
      throw OpError("attribute 'direction' should be LEFT or RIGHT, got \(d ?? "nothing")")
    }
    left = d == "LEFT"
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    try MathSupport.sameDType(a, b)
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: a.dtype)
    switch a.dtype {
    case .uint8: return [shift(a, b, shape, UInt8.self)]
    case .uint16: return [shift(a, b, shape, UInt16.self)]
    case .uint32: return [shift(a, b, shape, UInt32.self)]
    case .uint64: return [shift(a, b, shape, UInt64.self)]
    default: throw OpError("expected unsigned integer inputs, got \(a.dtype)")
    }
  }

  func shift<T: FixedWidthInteger & TensorScalar>(
    _ a: Tensor, _ b: Tensor, _ shape: [Int], _ type: T.Type
  ) -> Tensor {
    left
      ? Elementwise.zip(a, b, as: T.self, shape: shape) { $0 << $1 }
      : Elementwise.zip(a, b, as: T.self, shape: shape) { $0 >> $1 }
  }
}
