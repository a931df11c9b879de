/// A dense, row-major tensor of any ONNX element type.
///
/// Numeric elements live in a shared `TensorBuffer` (little-endian, sub-byte types packed as in
/// ONNX `raw_data`); string tensors keep their elements as byte strings in `strings`.
/// Copies of a `Tensor` share the buffer: call `makeUnique()` before writing in place (copy on
/// write, as Swift's arrays do).
public struct Tensor: @unchecked Sendable {
  public var dtype: DType
  public var shape: [Int]
  public var buffer: TensorBuffer
  /// Elements of a `.string` tensor (UTF-8 bytes, not validated); empty otherwise.
  public var strings: [[UInt8]]

  public init(dtype: DType, shape: [Int], buffer: TensorBuffer, strings: [[UInt8]] = []) {
    self.dtype = dtype
    self.shape = shape
    self.buffer = buffer
    self.strings = strings
  }

  /// A zero-filled tensor.
  public init(zeros dtype: DType, shape: [Int]) {
    let n = Tensor.elementCount(shape)
    self.init(
      dtype: dtype, shape: shape, buffer: TensorBuffer(zeroedByteCount: dtype.byteCount(elements: n)!),
      strings: dtype == .string ? Array(repeating: [], count: n) : [])
  }

  /// A tensor whose bytes the caller writes (every element must be written before reading).
  public init(uninitialized dtype: DType, shape: [Int]) {
    precondition(dtype != .string)
    let n = Tensor.elementCount(shape)
    self.init(
      dtype: dtype, shape: shape,
      buffer: TensorBuffer(uninitializedByteCount: dtype.byteCount(elements: n)!))
  }

  /// A string tensor.
  public init(strings: [[UInt8]], shape: [Int]) {
    precondition(strings.count == Tensor.elementCount(shape))
    self.init(dtype: .string, shape: shape, buffer: TensorBuffer(zeroedByteCount: 0), strings: strings)
  }

  /// A tensor from Swift scalars of a matching type.
  public init<T: TensorScalar>(_ values: [T], shape: [Int]) {
    precondition(values.count == Tensor.elementCount(shape), "\(values.count) values for shape \(shape)")
    self.init(uninitialized: T.dtype, shape: shape)
    values.withUnsafeBytes { src in
      if src.count > 0 { buffer.pointer.copyMemory(from: src.baseAddress!, byteCount: src.count) }
    }
  }

  /// A rank-0 tensor.
  public init<T: TensorScalar>(scalar: T) { self.init([scalar], shape: []) }

  public var rank: Int { shape.count }
  public var count: Int { Tensor.elementCount(shape) }
  public var byteCount: Int { dtype.byteCount(elements: count)! }

  /// Product of `shape` (1 for a scalar). Shapes held by tensors never overflow: they come
  /// from checked constructors.
  public static func elementCount(_ shape: [Int]) -> Int { shape.reduce(1, *) }

  /// Product of `shape`, or nil when a dimension is negative or the product overflows `limit`.
  public static func checkedElementCount(_ shape: [Int64], limit: Int = Int.max) -> Int? {
    var n = 1
    for d in shape {
      guard d >= 0, d <= Int64(Int.max) else { return nil }
      let (p, o) = n.multipliedReportingOverflow(by: Int(d))
      if o || p > limit { return nil }
      n = p
    }
    return n
  }

  /// Gives this tensor its own buffer if it shares one or wraps memory owned elsewhere (which
  /// may be a read-only mapping), so it can be written in place. A tensor that is already the
  /// only holder of memory it allocated is left as is: no copy.
  public mutating func makeUnique() {
    if !isUniquelyReferenced() {
      buffer = TensorBuffer(copying: buffer.bytes)
    }
  }

  /// True when this tensor's buffer is its own memory and no other tensor shares it, so it can
  /// be overwritten (the executor's in-place ops check this on the inputs it hands over).
  public mutating func isUniquelyReferenced() -> Bool {
    isKnownUniquelyReferenced(&buffer) && buffer.ownsMemory
  }

  /// The same elements with another shape of equal element count (no copy).
  public func reshaped(_ newShape: [Int]) -> Tensor {
    precondition(Tensor.elementCount(newShape) == count)
    var t = self
    t.shape = newShape
    return t
  }

  /// Typed read-only access; `T` must match `dtype`.
  @inlinable
  public func withElements<T: TensorScalar, R>(
    as type: T.Type, _ body: (UnsafeBufferPointer<T>) throws -> R
  ) rethrows -> R {
    precondition(T.dtype == dtype, "tensor is \(dtype), accessed as \(T.dtype)")
    return try body(
      UnsafeBufferPointer(start: buffer.pointer.assumingMemoryBound(to: T.self), count: count))
  }

  /// Typed write access; makes the buffer unique first. `T` must match `dtype`.
  @inlinable
  public mutating func withMutableElements<T: TensorScalar, R>(
    as type: T.Type, _ body: (UnsafeMutableBufferPointer<T>) throws -> R
  ) rethrows -> R {
    precondition(T.dtype == dtype, "tensor is \(dtype), accessed as \(T.dtype)")
    makeUnique()
    return try body(
      UnsafeMutableBufferPointer(start: buffer.pointer.assumingMemoryBound(to: T.self), count: count))
  }

  /// The elements as a Swift array; `T` must match `dtype`.
  public func elements<T: TensorScalar>(as type: T.Type) -> [T] {
    withElements(as: T.self) { Array($0) }
  }

  /// Elementwise bit-level equality of dtype, shape and contents.
  public func isIdentical(to other: Tensor) -> Bool {
    guard dtype == other.dtype, shape == other.shape else { return false }
    if dtype == .string { return strings == other.strings }
    if buffer === other.buffer { return true }
    let n = byteCount
    return memcmp(buffer.pointer, other.buffer.pointer, n) == 0
  }
}

#if canImport(Glibc)
  import Glibc
#endif

/// Swift scalar types that are stored directly as an ONNX element type.
public protocol TensorScalar: Sendable {
  static var dtype: DType { get }
}
extension Float: TensorScalar { public static var dtype: DType { .float } }
extension Double: TensorScalar { public static var dtype: DType { .double } }
extension Int64: TensorScalar { public static var dtype: DType { .int64 } }
extension Int32: TensorScalar { public static var dtype: DType { .int32 } }
extension Int16: TensorScalar { public static var dtype: DType { .int16 } }
extension Int8: TensorScalar { public static var dtype: DType { .int8 } }
extension UInt64: TensorScalar { public static var dtype: DType { .uint64 } }
extension UInt32: TensorScalar { public static var dtype: DType { .uint32 } }
extension UInt16: TensorScalar { public static var dtype: DType { .uint16 } }
extension UInt8: TensorScalar { public static var dtype: DType { .uint8 } }
extension Bool: TensorScalar { public static var dtype: DType { .bool } }
extension Float16: TensorScalar { public static var dtype: DType { .float16 } }

/// bfloat16 storage: the upper 16 bits of a float32.
public struct BFloat16: TensorScalar, Equatable {
  public var bits: UInt16
  public static var dtype: DType { .bfloat16 }
  public init(bits: UInt16) { self.bits = bits }
  /// Rounds to nearest even, as PyTorch and ONNX do; NaN stays NaN.
  public init(_ value: Float) {
    let b = value.bitPattern
    if value.isNaN {
      bits = UInt16(truncatingIfNeeded: (b >> 16) | 0x40)
    } else {
      let rounding = ((b >> 16) & 1) &+ 0x7FFF
      bits = UInt16(truncatingIfNeeded: (b &+ rounding) >> 16)
    }
  }
  public var float: Float { Float(bitPattern: UInt32(bits) << 16) }
}
