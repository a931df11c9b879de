/// Element conversion between numeric dtypes (the semantics of ONNX `Cast` for the types the
/// runtime computes with: saturating is not applied; float to integer truncates toward zero,
/// as C and NumPy do; NaN to integer gives 0; to bool is `!= 0`).
extension Tensor {
  /// This tensor with its elements converted to `target` (the same tensor when already of it).
  public func converted(to target: DType) -> Tensor {
    if target == dtype { return self }
    precondition(dtype != .string && target != .string, "string conversion is not numeric")
    var out = Tensor(uninitialized: target, shape: shape)
    let n = count
    let src = buffer.pointer
    let dst = out.buffer.pointer
    if target == .float {
      let d = dst.assumingMemoryBound(to: Float.self)
      switch dtype {
      case .double:
        let s = src.assumingMemoryBound(to: Double.self)
        for i in 0..<n { d[i] = Float(s[i]) }
        return out
      case .float16:
        let s = src.assumingMemoryBound(to: Float16.self)
        for i in 0..<n { d[i] = Float(s[i]) }
        return out
      case .int64:
        let s = src.assumingMemoryBound(to: Int64.self)
        for i in 0..<n { d[i] = Float(s[i]) }
        return out
      case .int32:
        let s = src.assumingMemoryBound(to: Int32.self)
        for i in 0..<n { d[i] = Float(s[i]) }
        return out
      case .uint8:
        let s = src.assumingMemoryBound(to: UInt8.self)
        for i in 0..<n { d[i] = Float(s[i]) }
        return out
      default: break
      }
    }
    let load = Tensor.loader(dtype)
    let store = Tensor.storer(target)
    for i in 0..<n { store(dst, i, load(src, i)) }
    out.strings = []
    _ = out  // `out` is returned below
    return out
  }

  /// Element `i` as a Double (numeric dtypes of at least one byte).
  public func doubleValue(at i: Int) -> Double { Tensor.loader(dtype)(buffer.pointer, i) }

  /// All elements as Int64 (for shape-like inputs: axes, pads, sizes).
  public func int64Values() -> [Int64] {
    switch dtype {
    case .int64: return elements(as: Int64.self)
    case .int32: return elements(as: Int32.self).map { Int64($0) }
    default:
      let load = Tensor.loader(dtype)
      return (0..<count).map { Tensor.doubleToInt64(load(buffer.pointer, $0)) }
    }
  }

  /// All elements as Float.
  public func floatValues() -> [Float] { converted(to: .float).elements(as: Float.self) }

  static func doubleToInt64(_ v: Double) -> Int64 {
    if v.isNaN { return 0 }
    if v >= 9.223372036854775807e18 { return Int64.max }
    if v <= -9.223372036854775808e18 { return Int64.min }
    return Int64(v)
  }

  /// A function reading element `i` of a buffer of `dtype` as Double.
  public static func loader(_ dtype: DType) -> (UnsafeMutableRawPointer, Int) -> Double {
    switch dtype {
    case .float: return { Double($0.assumingMemoryBound(to: Float.self)[$1]) }
    case .double: return { $0.assumingMemoryBound(to: Double.self)[$1] }
    case .float16: return { Double($0.assumingMemoryBound(to: Float16.self)[$1]) }
    case .bfloat16: return { Double(BFloat16(bits: $0.assumingMemoryBound(to: UInt16.self)[$1]).float) }
    case .int64: return { Double($0.assumingMemoryBound(to: Int64.self)[$1]) }
    case .int32: return { Double($0.assumingMemoryBound(to: Int32.self)[$1]) }
    case .int16: return { Double($0.assumingMemoryBound(to: Int16.self)[$1]) }
    case .int8: return { Double($0.assumingMemoryBound(to: Int8.self)[$1]) }
    case .uint64: return { Double($0.assumingMemoryBound(to: UInt64.self)[$1]) }
    case .uint32: return { Double($0.assumingMemoryBound(to: UInt32.self)[$1]) }
    case .uint16: return { Double($0.assumingMemoryBound(to: UInt16.self)[$1]) }
    case .uint8: return { Double($0.assumingMemoryBound(to: UInt8.self)[$1]) }
    case .bool: return { $0.assumingMemoryBound(to: UInt8.self)[$1] != 0 ? 1 : 0 }
    default: preconditionFailure("no numeric loader for \(dtype)")
    }
  }

  /// A function writing element `i` of a buffer of `dtype` from a Double.
  public static func storer(_ dtype: DType) -> (UnsafeMutableRawPointer, Int, Double) -> Void {
    func int<T: FixedWidthInteger>(_: T.Type) -> (UnsafeMutableRawPointer, Int, Double) -> Void {
      return { p, i, v in
        let w: T
        if v.isNaN { w = 0 } else if v >= Double(T.max) { w = T.max } else if v <= Double(T.min) {
          w = T.min
        } else { w = T(v) }
        p.assumingMemoryBound(to: T.self)[i] = w
      }
    }
    switch dtype {
    case .float: return { $0.assumingMemoryBound(to: Float.self)[$1] = Float($2) }
    case .double: return { $0.assumingMemoryBound(to: Double.self)[$1] = $2 }
    case .float16: return { $0.assumingMemoryBound(to: Float16.self)[$1] = Float16(Float($2)) }
    case .bfloat16:
      return { $0.assumingMemoryBound(to: UInt16.self)[$1] = BFloat16(Float($2)).bits }
    case .int64:
      return { $0.assumingMemoryBound(to: Int64.self)[$1] = Tensor.doubleToInt64($2) }
    case .int32: return int(Int32.self)
    case .int16: return int(Int16.self)
    case .int8: return int(Int8.self)
    case .uint64: return int(UInt64.self)
    case .uint32: return int(UInt32.self)
    case .uint16: return int(UInt16.self)
    case .uint8: return int(UInt8.self)
    case .bool: return { $0.assumingMemoryBound(to: UInt8.self)[$1] = $2 != 0 ? 1 : 0 }
    default: preconditionFailure("no numeric storer for \(dtype)")
    }
  }
}
