import TuneTensor

/// ONNX `Range`: `start, start + delta, …` while below `limit` (above it for a negative
/// delta); `max(ceil((limit - start) / delta), 0)` elements of the inputs' type.
/// https://onnx.ai/onnx/operators/onnx__Range.html
public struct Range: Operator {
  public static let opType = "Range"
  public init(node: Node, opset: Int) throws {}

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let start = try ShapeSupport.input(inputs, 0, "start")
    let limit = try ShapeSupport.input(inputs, 1, "limit")
    let delta = try ShapeSupport.input(inputs, 2, "delta")
    let dtype = start.dtype
    guard limit.dtype == dtype, delta.dtype == dtype, start.count == 1, limit.count == 1,
      delta.count == 1
    else {
      throw OpError(
        "start, limit and delta should be scalars of one type, got \(start.dtype), \(limit.dtype), \(delta.dtype)"
      )
    }
    guard dtype.isInteger || dtype.isFloatingPoint else {
      throw OpError("Range does not support \(dtype)")
    }
    if dtype.isInteger {
      let (s, l, d) = (start.int64Values()[0], limit.int64Values()[0], delta.int64Values()[0])
      guard d != 0 else { throw OpError("delta cannot be 0") }
      let span = Double(l) - Double(s)
      let n = try Range.count(span / Double(d))
      _ = try ShapeSupport.checkedShape([n], "Range output", dtype: .int64)
      var out = Tensor(zeros: .int64, shape: [n])
      out.withMutableElements(as: Int64.self) { p in
        for i in 0..<n { p[i] = s &+ Int64(i) &* d }
      }
      return [out.converted(to: dtype)]
    }
    let (s, l, d) = (start.doubleValue(at: 0), limit.doubleValue(at: 0), delta.doubleValue(at: 0))
    guard d != 0 else { throw OpError("delta cannot be 0") }
    let n = try Range.count((l - s) / d)
    _ = try ShapeSupport.checkedShape([n], "Range output", dtype: dtype)
    let out = Tensor(uninitialized: dtype, shape: [n])
    let store = Tensor.storer(dtype)
    if dtype == .float {
      // In float32, as NumPy does for float32 inputs.
      let (fs, fd) = (Float(s), Float(d))
      for i in 0..<n { store(out.buffer.pointer, i, Double(fs + Float(i) * fd)) }
    } else {
      for i in 0..<n { store(out.buffer.pointer, i, s + Double(i) * d) }
    }
    return [out]
  }

  static func count(_ steps: Double) throws -> Int {
    guard steps.isFinite else { throw OpError("Range length is not finite") }
    let n = max(steps.rounded(.up), 0)
    guard n <= Double(ShapeSupport.maxElements) else {
      throw OpError("Range length \(n) is too large: over \(ShapeSupport.maxElements) elements (the limit of \(TensorLimits.maxBytes) bytes per tensor is ONNX_TUNE_MAX_TENSOR_BYTES)")
    }
    return Int(n)
  }
}
