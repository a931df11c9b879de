import TuneTensor

/// The shared body of BitwiseAnd, BitwiseOr, BitwiseXor and BitwiseNot on integer tensors.
enum Bitwise {
  enum Operation { case and, or, xor }

  static func binary(_ inputs: [Tensor?], _ operation: Operation) throws -> Tensor {
    let a = try MathSupport.required(inputs, 0)
    let b = try MathSupport.required(inputs, 1)
    try MathSupport.sameDType(a, b)
    let shape = try MathSupport.broadcastShape([a.shape, b.shape], dtype: a.dtype)
    guard a.dtype.isInteger || a.dtype == .bool, let size = carrierSize(a.dtype) else {
      throw OpError("expected integer inputs, got \(a.dtype)")
    }
    switch size {
    case 1: return binary(a, b, shape, operation, UInt8.self)
    case 2: return binary(a, b, shape, operation, UInt16.self)
    case 4: return binary(a, b, shape, operation, UInt32.self)
    default: return binary(a, b, shape, operation, UInt64.self)
    }
  }

  static func not(_ inputs: [Tensor?]) throws -> Tensor {
    let x = try MathSupport.required(inputs, 0)
    guard x.dtype.isInteger, let size = carrierSize(x.dtype) else {
      throw OpError("expected an integer input, got \(x.dtype)")
    }
    func run<T: FixedWidthInteger & TensorScalar>(_: T.Type) -> Tensor {
      var y = Elementwise.map(x, as: T.self) { ~$0 }
      y.dtype = x.dtype
      return y
    }
    switch size {
    case 1: return run(UInt8.self)
    case 2: return run(UInt16.self)
    case 4: return run(UInt32.self)
    default: return run(UInt64.self)
    }
  }

  static func carrierSize(_ dtype: DType) -> Int? {
    let s = dtype.elementSize
    return [1, 2, 4, 8].contains(s) ? s : nil
  }

  static func binary<T: FixedWidthInteger & TensorScalar>(
    _ a: Tensor, _ b: Tensor, _ shape: [Int], _ operation: Operation, _ type: T.Type
  ) -> Tensor {
    var y: Tensor
    switch operation {
    case .and: y = Elementwise.zip(a, b, as: T.self, shape: shape) { $0 & $1 }
    case .or: y = Elementwise.zip(a, b, as: T.self, shape: shape) { $0 | $1 }
    case .xor: y = Elementwise.zip(a, b, as: T.self, shape: shape) { $0 ^ $1 }
    }
    y.dtype = a.dtype
    return y
  }
}
