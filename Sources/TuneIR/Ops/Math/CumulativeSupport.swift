import TuneTensor

/// The shared body of CumSum and CumProd: a running fold along the axis given by the scalar
/// second input; `exclusive` leaves out the current element, `reverse` runs from the end.
struct CumulativeScan {
  var exclusive: Bool
  var reverse: Bool

  init(node: Node) throws {
    exclusive = try node.int("exclusive", default: 0) != 0
    reverse = try node.int("reverse", default: 0) != 0
  }

  func run(_ inputs: [Tensor?], product: Bool) throws -> Tensor {
    let x = try MathSupport.required(inputs, 0)
    let axisTensor = try MathSupport.required(inputs, 1, "axis input")
    guard axisTensor.count == 1, axisTensor.dtype == .int64 || axisTensor.dtype == .int32 else {
      throw OpError("expected a scalar int axis, got \(axisTensor.dtype) of shape \(axisTensor.shape)")
    }
    let axis = try MathSupport.normalizedAxis(Int(axisTensor.int64Values()[0]), rank: x.rank)
    if x.dtype.isHalfPrecision {
      return try MathSupport.viaFloat(x) { try run([$0, axisTensor], product: product) }
    }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    return x.dtype == .float ? scan(x, axis, product, Float.self) : scan(x, axis, product, type)
  }

  func scan<T: NumericScalar>(_ x: Tensor, _ axis: Int, _ product: Bool, _ type: T.Type) -> Tensor {
    let out = Tensor(uninitialized: x.dtype, shape: x.shape)
    let src = x.buffer.pointer.assumingMemoryBound(to: T.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: T.self)
    let (outer, length, inner) = x.rank == 0 ? (1, 1, 1) : MathSupport.split(x.shape, axis: axis)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        var acc = product ? T.one : T.zero
        for step in 0..<length {
          let k = reverse ? length - 1 - step : step
          let p = base + k * inner
          let v = src[p]
          if exclusive { dst[p] = acc }
          acc = product ? T.multiply(acc, v) : T.add(acc, v)
          if !exclusive { dst[p] = acc }
        }
      }
    }
    return out
  }
}
