#if canImport(Glibc)
  import Glibc
#endif

/// The largest single tensor an op may create, so that a model asking for a huge output (a
/// `ConstantOfShape` to `[1 << 40]`, an `Expand`, `Tile`, `Pad` or broadcast to a huge shape)
/// gets an error naming the limit instead of a failed allocation or the kernel's OOM killer.
///
/// The limit is 2^34 bytes (16 GiB) per tensor, or `$ONNX_TUNE_MAX_TENSOR_BYTES` (a positive
/// integer, read once at first use). Ops that size their output from input *values* (shapes,
/// repeats, pads, depths) or from broadcasting check it before allocating; ops whose outputs
/// are at most a small multiple of their inputs do not need to.
public enum TensorLimits {
  /// The default: 2^34 bytes.
  public static let defaultMaxBytes = 1 << 34

  /// Bytes one tensor may take.
  public static let maxBytes: Int = {
    if let s = getenv("ONNX_TUNE_MAX_TENSOR_BYTES"), let v = Int(String(cString: s)), v > 0 { return v }
    return defaultMaxBytes
  }()

  /// Bytes a tensor of `dtype` and `shape` would take (strings counted at 16 bytes an element),
  /// or nil when a dimension is negative or the size overflows.
  public static func byteCount(_ dtype: DType, shape: [Int]) -> Int? {
    var n = 1
    for d in shape {
      guard d >= 0 else { return nil }
      let (p, o) = n.multipliedReportingOverflow(by: d)
      if o { return nil }
      n = p
    }
    if dtype == .string {
      let (b, o) = n.multipliedReportingOverflow(by: 16)
      return o ? nil : b
    }
    return dtype.byteCount(elements: n)
  }

  /// nil when a tensor of `dtype` and `shape` is within the limit; otherwise why not, e.g.
  /// `float [1099511627776] needs 4398046511104 bytes, over the limit of 17179869184 bytes per
  /// tensor (ONNX_TUNE_MAX_TENSOR_BYTES)`.
  public static func violation(_ dtype: DType, shape: [Int]) -> String? {
    if shape.contains(where: { $0 < 0 }) { return "\(dtype) \(shape) has a negative dimension" }
    guard let bytes = byteCount(dtype, shape: shape) else {
      return "\(dtype) \(shape) overflows: its size is beyond 2^63 bytes, over the limit of \(maxBytes) bytes per tensor (ONNX_TUNE_MAX_TENSOR_BYTES)"
    }
    if bytes > maxBytes {
      return "\(dtype) \(shape) needs \(bytes) bytes, over the limit of \(maxBytes) bytes per tensor (ONNX_TUNE_MAX_TENSOR_BYTES)"
    }
    return nil
  }
}
