import TuneTensor

/// `CumSum`: running sums along the axis given by the scalar second input; `exclusive` leaves
/// out the current element, `reverse` sums from the end.
/// https://onnx.ai/onnx/operators/onnx__CumSum.html
public struct CumSum: Operator {
  public static let opType = "CumSum"
  public var exclusive: Bool
  public var reverse: Bool
  public init(node: Node, opset: Int) throws {
    exclusive = try node.int("exclusive", default: 0) != 0
    reverse = try node.int("reverse", default: 0) != 0
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try MathSupport.required(inputs, 0)
    let axisTensor = try MathSupport.required(inputs, 1, "axis input")
    guard axisTensor.count == 1, axisTensor.dtype == .int64 || axisTensor.dtype == .int32 else {
      throw OpError("expected a scalar int axis, got \(axisTensor.dtype) of shape \(axisTensor.shape)")
    }
    let axis = try MathSupport.normalizedAxis(Int(axisTensor.int64Values()[0]), rank: x.rank)
    if x.dtype.isHalfPrecision {
      return [try MathSupport.viaFloat(x) { try forward([$0, axisTensor], context: context)[0] }]
    }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    return [x.dtype == .float ? scan(x, axis, Float.self) : scan(x, axis, type)]
  }

  func scan<T: NumericScalar>(_ x: Tensor, _ axis: Int, _ type: T.Type) -> Tensor {
    let out = Tensor(uninitialized: x.dtype, shape: x.shape)
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: T.self)
    let (outer, length, inner) = x.rank == 0 ? (1, 1, 1) : MathSupport.split(x.shape, axis: axis)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        var acc = T.zero
        for step in 0..<length {
          let k = reverse ? length - 1 - step : step
          let p = base + k * inner
          if exclusive {
            dst[p] = acc
            acc = T.add(acc, src[p])
          } else {
            acc = T.add(acc, src[p])
            dst[p] = acc
          }
        }
      }
    }
    return out
  }
}
