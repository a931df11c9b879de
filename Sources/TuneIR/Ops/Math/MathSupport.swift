import TuneTensor

// Shared pieces of the Math family: input checks and the op protocols whose default
// `forward` does the dtype dispatch, so each op file only states its scalar formula.

enum MathSupport {
  /// Input `index`, which the op requires.
  static func required(_ inputs: [Tensor?], _ index: Int, _ what: String = "input") throws -> Tensor {
    guard index < inputs.count, let t = inputs[index] else {
      throw OpError("expected \(what) \(index), got \(inputs.count) inputs with it missing")
    }
    return t
  }

  /// The broadcast shape of `shapes`, or an error naming them; a shape whose tensor of `dtype`
  /// (the element type the op allocates at that shape) would be over `TensorLimits` is an error too.
  static func broadcastShape(_ shapes: [[Int]], dtype: DType) throws -> [Int] {
    guard let s = Broadcast.shape(of: shapes) else {
      throw OpError("shapes \(shapes.map { "\($0)" }.joined(separator: ", ")) do not broadcast")
    }
    // Broadcasting multiplies sizes: [n, 1] with [1, n] is n^2 elements, checked at the real
    // element size before anything is allocated.
    if let why = TensorLimits.violation(dtype, shape: s) {
      throw OpError("broadcast output of \(shapes.map { "\($0)" }.joined(separator: ", ")): \(why)")
    }
    return s
  }

  static func sameDType(_ a: Tensor, _ b: Tensor) throws {
    guard a.dtype == b.dtype else {
      throw OpError("inputs should have one element type, got \(a.dtype) and \(b.dtype)")
    }
  }

  /// An axis in `-rank..<rank`, made non-negative.
  static func normalizedAxis(_ axis: Int, rank: Int) throws -> Int {
    guard axis >= -rank, axis < max(rank, 1) else {
      throw OpError("axis \(axis) is out of range for rank \(rank)")
    }
    return axis < 0 ? axis + rank : axis
  }

  static func unsupported(_ dtype: DType) -> OpError {
    OpError("element type \(dtype) is not supported")
  }

  /// `(outer, length, inner)` sizes around `axis` of `shape`.
  static func split(_ shape: [Int], axis: Int) -> (outer: Int, length: Int, inner: Int) {
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    return (outer, shape[axis], inner)
  }

  /// Takes input `index` out of `inputs` for writing in place when it is a float32 tensor of
  /// `shape` whose buffer nothing else shares; otherwise leaves `inputs` as it was and returns nil.
  static func takeReusable(_ inputs: inout [Tensor?], _ index: Int, shape: [Int]) -> Tensor? {
    guard index < inputs.count, var t = inputs[index], t.dtype == .float, t.shape == shape else {
      return nil
    }
    inputs[index] = nil
    if t.isUniquelyReferenced() { return t }
    inputs[index] = t
    return nil
  }

  /// Runs a float computation on a half precision tensor via float32, converting back.
  static func viaFloat(_ x: Tensor, _ body: (Tensor) throws -> Tensor) rethrows -> Tensor {
    try body(x.converted(to: .float)).converted(to: x.dtype)
  }
}

// MARK: - Binary arithmetic

/// A binary op on numeric tensors of one dtype, with broadcasting (Add, Sub, Mul, Div, ...).
public protocol BinaryArithmeticOperator: Operator {
  func apply<T: NumericScalar>(_ a: T, _ b: T) -> T
}

extension BinaryArithmeticOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    return [try combine(a, b)]
  }

  /// `apply` over `a` and `b` broadcast together.
  func combine(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try MathSupport.sameDType(a, b)
    // Half precision is computed in float32: the recursive call checks that size.
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: a.dtype)
    if a.dtype == .float {
      return Elementwise.zip(a, b, as: Float.self, shape: shape) { apply($0, $1) }
    }
    if a.dtype.isHalfPrecision {
      return try combine(a.converted(to: .float), b.converted(to: .float)).converted(to: a.dtype)
    }
    guard let type = a.dtype.numericScalarType else { throw MathSupport.unsupported(a.dtype) }
    return combine(a, b, shape: shape, as: type)
  }

  func combine<T: NumericScalar>(_ a: Tensor, _ b: Tensor, shape: [Int], as type: T.Type) -> Tensor {
    Elementwise.zip(a, b, as: T.self, shape: shape) { apply($0, $1) }
  }

  /// Float32 `a op b` written into whichever input has the output's shape and may be reused.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard inputs.count == 2, let a = inputs[0], let b = inputs[1], a.dtype == .float, b.dtype == .float,
      let shape = Broadcast.shape(of: [a.shape, b.shape])
    else { return try forward(inputs, context: context) }
    if var x = MathSupport.takeReusable(&inputs, 0, shape: shape) {
      Elementwise.zipInPlace(&x, b, as: Float.self) { apply($0, $1) }
      return [x]
    }
    if var y = MathSupport.takeReusable(&inputs, 1, shape: shape) {
      Elementwise.zipInPlace(a, into: &y, as: Float.self) { apply($0, $1) }
      return [y]
    }
    return try forward(inputs, context: context)
  }
}

/// A variadic op folding `apply` over all inputs with broadcasting (Sum, Max, Min).
public protocol VariadicArithmeticOperator: BinaryArithmeticOperator {}

extension VariadicArithmeticOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try fold(inputs)]
  }

  /// No in-place path: the fold (and Mean's division) stay in `forward`.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try forward(inputs, context: context)
  }

  func fold(_ inputs: [Tensor?]) throws -> Tensor {
    let present = inputs.compactMap { $0 }
    guard var result = present.first else { throw OpError("expected at least one input, got none") }
    for t in present.dropFirst() { result = try combine(result, t) }
    return result
  }
}

// MARK: - Comparison and logic

/// A binary comparison with broadcasting giving bool (Equal, Less, ...).
public protocol ComparisonOperator: Operator {
  func compare<T: NumericScalar>(_ a: T, _ b: T) -> Bool
}

extension ComparisonOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try compareNumbers(MathSupport.required(inputs, 0), MathSupport.required(inputs, 1))]
  }

  /// `compare` over numeric or bool `a` and `b` broadcast together.
  func compareNumbers(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    var a = a
    var b = b
    try MathSupport.sameDType(a, b)
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: .bool)
    if a.dtype == .bool {
      a.dtype = .uint8
      b.dtype = .uint8
    } else if a.dtype.isHalfPrecision {
      a = a.converted(to: .float)
      b = b.converted(to: .float)
    }
    if a.dtype == .float {
      return Elementwise.zip(a, b, as: Float.self, shape: shape) { compare($0, $1) }
    }
    guard let type = a.dtype.numericScalarType else { throw MathSupport.unsupported(a.dtype) }
    return compare(a, b, shape: shape, as: type)
  }

  func compare<T: NumericScalar>(_ a: Tensor, _ b: Tensor, shape: [Int], as type: T.Type) -> Tensor {
    Elementwise.zip(a, b, as: T.self, shape: shape) { compare($0, $1) }
  }
}

/// A binary op on bool tensors with broadcasting (And, Or, Xor).
public protocol LogicalOperator: Operator {
  func apply(_ a: Bool, _ b: Bool) -> Bool
}

extension LogicalOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    guard a.dtype == .bool, b.dtype == .bool else {
      throw OpError("expected bool inputs, got \(a.dtype) and \(b.dtype)")
    }
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: .bool)
    return [Elementwise.zip(a, b, as: UInt8.self, shape: shape) { apply($0 != 0, $1 != 0) }]
  }
}

// MARK: - Unary

/// A unary op on floating point tensors (float, double; float16/bfloat16 via float).
public protocol UnaryFloatOperator: Operator {
  func apply<T: FloatScalar>(_ x: T) -> T
}

extension UnaryFloatOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try map(MathSupport.required(inputs, 0))]
  }

  /// Float32 `apply` in place when the input may be reused.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    if let s = inputs.first??.shape, var x = MathSupport.takeReusable(&inputs, 0, shape: s) {
      Elementwise.mapInPlace(&x, as: Float.self) { apply($0) }
      return [x]
    }
    return try forward(inputs, context: context)
  }

  func map(_ x: Tensor) throws -> Tensor {
    switch x.dtype {
    case .float: return Elementwise.map(x, as: Float.self) { apply($0) }
    case .double: return Elementwise.map(x, as: Double.self) { apply($0) }
    case .float16, .bfloat16: return try MathSupport.viaFloat(x) { try map($0) }
    default: throw OpError("expected a floating point input, got \(x.dtype)")
    }
  }
}

/// A unary op on numeric tensors (integers too).
public protocol UnaryNumericOperator: Operator {
  func apply<T: NumericScalar>(_ x: T) -> T
}

extension UnaryNumericOperator {
  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [try map(MathSupport.required(inputs, 0))]
  }

  /// Float32 `apply` in place when the input may be reused.
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    if let s = inputs.first??.shape, var x = MathSupport.takeReusable(&inputs, 0, shape: s) {
      Elementwise.mapInPlace(&x, as: Float.self) { apply($0) }
      return [x]
    }
    return try forward(inputs, context: context)
  }

  func map(_ x: Tensor) throws -> Tensor {
    if x.dtype == .float { return Elementwise.map(x, as: Float.self) { apply($0) } }
    if x.dtype.isHalfPrecision { return try MathSupport.viaFloat(x) { try map($0) } }
    guard let type = x.dtype.numericScalarType else { throw MathSupport.unsupported(x.dtype) }
    return map(x, as: type)
  }

  func map<T: NumericScalar>(_ x: Tensor, as type: T.Type) -> Tensor {
    Elementwise.map(x, as: T.self) { apply($0) }
  }
}
