import TuneTensor

/// Gradients of the data-movement ops.
///
/// Every output element of these ops is a copy of one element of input 0 (or a fill value),
/// so the gradient of input 0 is the output gradient scatter-added back to where each element
/// came from. The op itself tells us where: running it on a probe tensor whose elements are
/// their own flat index plus one (int64; 0 then marks fill) routes the indices exactly as it
/// routes the data, for every mode and opset without a second implementation. Other inputs
/// (indices, shapes, pads) get no gradient.
public protocol DataMovementGradient: DifferentiableOperator {
  /// The op's outputs when input 0 is replaced by `probe` (an int64 tensor of input 0's
  /// shape); ops whose other inputs or attributes could inject non-zero fill values override it.
  func routeProbe(_ probe: Tensor, inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor]
}

extension DataMovementGradient {
  public func routeProbe(_ probe: Tensor, inputs: [Tensor?], context: ExecutionContext) throws
    -> [Tensor]
  {
    var i = inputs
    i[0] = probe
    return try forward(i, context: context)
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    var result = [Tensor?](repeating: nil, count: inputs.count)
    guard needed.first == true, let x = inputs.first ?? nil else { return result }
    let present = outputGradients.compactMap { $0 }
    guard let dtype = present.first?.dtype else { return result }
    let probes = try routeProbe(DataMovement.probe(x.shape), inputs: inputs, context: context)
    var grad = Tensor(zeros: dtype, shape: x.shape)
    for (k, g) in outputGradients.enumerated() {
      guard let g else { continue }
      guard k < probes.count, probes[k].shape == g.shape, g.dtype == dtype else {
        throw OpError(
          "output gradient \(k) has shape \(g.shape), expected \(k < probes.count ? probes[k].shape : [])"
        )
      }
      try DataMovement.scatterAdd(g, routes: probes[k], into: &grad)
    }
    result[0] = grad
    return result
  }
}

/// Reshape-like ops: the gradient is the output gradient with the input's shape.
public protocol ReshapeGradient: DifferentiableOperator {}

extension ReshapeGradient {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    var result = [Tensor?](repeating: nil, count: inputs.count)
    guard needed.first == true, let x = inputs.first ?? nil, let g = outputGradients.first ?? nil
    else {
      return result
    }
    guard g.count == x.count else {
      throw OpError("output gradient has shape \(g.shape), expected \(outputs.first?.shape ?? [])")
    }
    result[0] = g.reshaped(x.shape)
    return result
  }
}

enum DataMovement {
  /// An int64 tensor of `shape` whose element `i` is `i + 1`.
  static func probe(_ shape: [Int]) -> Tensor {
    Tensor(
      (1...Int64(max(Tensor.elementCount(shape), 1))).prefix(Tensor.elementCount(shape)).map { $0 },
      shape: shape)
  }

  /// `grad[routes[i] - 1] += g[i]` for every `i` with `routes[i] > 0`.
  static func scatterAdd(_ g: Tensor, routes: Tensor, into grad: inout Tensor) throws {
    let r = routes.elements(as: Int64.self)
    func run<T: BinaryFloatingPoint & TensorScalar>(_: T.Type) {
      g.withElements(as: T.self) { src in
        grad.withMutableElements(as: T.self) { dst in
          for i in 0..<r.count where r[i] > 0 { dst[Int(r[i]) - 1] += src[i] }
        }
      }
    }
    switch g.dtype {
    case .float: run(Float.self)
    case .double: run(Double.self)
    case .float16: run(Float16.self)
    default: throw OpError("gradients are computed for float, double and float16, got \(g.dtype)")
    }
  }
}
