import TuneTensor

// Gradients (vector-Jacobian products) of the Math family, in float32. As the
// `DifferentiableOperator` contract allows, the gradient of a broadcast input is returned in
// the output's shape; the backward driver sums it down to the input's shape.

enum MathGradients {
  /// The float32 output gradient, or nil when nothing depends on the output.
  static func outputGradient(_ gradients: [Tensor?]) -> Tensor? {
    guard let g = gradients.first ?? nil else { return nil }
    return g.converted(to: .float)
  }

  static func float(_ inputs: [Tensor?], _ index: Int) throws -> Tensor {
    let t = try MathSupport.required(inputs, index)
    guard t.dtype.isFloatingPoint else {
      throw OpError("gradients need floating point inputs, got \(t.dtype)")
    }
    return t.converted(to: .float)
  }

  /// `op(g, a, b)` over the output gradient's shape.
  static func map(
    _ g: Tensor, _ a: Tensor, _ b: Tensor, _ op: (Float, Float, Float) -> Float
  ) -> Tensor {
    Elementwise.zip3(g, a, b, as: Float.self, shape: g.shape, op)
  }

  /// `g` broadcast to `shape` (for gradients of reductions).
  static func broadcast(_ g: Tensor, to shape: [Int]) -> Tensor {
    Elementwise.zip(Tensor(zeros: .float, shape: shape), g, as: Float.self, shape: shape) { _, v in v }
  }
}

/// A unary floating point op whose gradient is `g · derivative(x, y)`.
public protocol DifferentiableUnaryFloatOperator: UnaryFloatOperator, DifferentiableOperator {
  /// dy/dx at input `x` with output `y`.
  func derivative(_ x: Float, _ y: Float) -> Float
}

extension DifferentiableUnaryFloatOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return [nil]
    }
    let x = try MathGradients.float(inputs, 0)
    let y = outputs[0].converted(to: .float)
    return [MathGradients.map(g, x, y) { g, x, y in g * derivative(x, y) }]
  }
}

/// A unary op on numbers whose float gradient is `g · derivative(x, y)` (Relu, Abs, Neg).
public protocol DifferentiableUnaryNumericOperator: UnaryNumericOperator, DifferentiableOperator {
  func derivative(_ x: Float, _ y: Float) -> Float
}

extension DifferentiableUnaryNumericOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return [nil]
    }
    let x = try MathGradients.float(inputs, 0)
    let y = outputs[0].converted(to: .float)
    return [MathGradients.map(g, x, y) { g, x, y in g * derivative(x, y) }]
  }
}

/// A binary op with broadcasting whose gradients are `g · ∂y/∂a` and `g · ∂y/∂b`.
public protocol DifferentiableBinaryOperator: DifferentiableOperator {
  func partials(_ a: Float, _ b: Float) -> (Float, Float)
}

extension DifferentiableBinaryOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard let g = MathGradients.outputGradient(outputGradients) else { return [nil, nil] }
    let a = try MathGradients.float(inputs, 0)
    let b = try MathGradients.float(inputs, 1)
    let ga = needed.count > 0 && needed[0] ? MathGradients.map(g, a, b) { g, a, b in g * partials(a, b).0 } : nil
    let gb = needed.count > 1 && needed[1] ? MathGradients.map(g, a, b) { g, a, b in g * partials(a, b).1 } : nil
    return [ga, gb]
  }
}
