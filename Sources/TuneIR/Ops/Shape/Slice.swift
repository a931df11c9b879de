import TuneTensor

/// ONNX `Slice`: `data[starts:ends:steps]` along `axes` (NumPy semantics: negative positions
/// count from the end, out-of-range positions are clamped, negative steps walk backwards).
/// Opset 1 takes `starts`/`ends`/`axes` as attributes; from opset 10 they and `steps` are inputs.
/// https://onnx.ai/onnx/operators/onnx__Slice.html
public struct Slice: DataMovementGradient {
  public static let opType = "Slice"
  /// The opset-1 attributes (nil from opset 10).
  public var startsAttribute: [Int]?
  public var endsAttribute: [Int]?
  public var axesAttribute: [Int]?

  public init(node: Node, opset: Int) throws {
    if opset < 10 {
      guard let s = try node.ints("starts"), let e = try node.ints("ends") else {
        throw OpError("attributes 'starts' and 'ends' are required")
      }
      startsAttribute = s
      endsAttribute = e
      axesAttribute = try node.ints("axes").flatMap { $0.isEmpty ? nil : $0 }
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let starts: [Int]
    let ends: [Int]
    var axes: [Int]?
    var steps: [Int]?
    if let s = startsAttribute, let e = endsAttribute {
      starts = s
      ends = e
      axes = axesAttribute
    } else {
      starts = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "starts"), "starts")
      ends = try ShapeSupport.ints(ShapeSupport.input(inputs, 2, "ends"), "ends")
      if let t = ShapeSupport.optionalInput(inputs, 3) { axes = try ShapeSupport.ints(t, "axes") }
      if let t = ShapeSupport.optionalInput(inputs, 4) { steps = try ShapeSupport.ints(t, "steps") }
    }
    let a = try ShapeSupport.axes(axes ?? Array(0..<starts.count), rank: x.rank)
    let st = steps ?? [Int](repeating: 1, count: starts.count)
    guard ends.count == starts.count, a.count == starts.count, st.count == starts.count else {
      throw OpError(
        "starts (\(starts.count)), ends (\(ends.count)), axes (\(a.count)) and steps (\(st.count)) should have one value per sliced axis"
      )
    }
    var shape = x.shape
    let inStrides = CopyKernel.contiguousStrides(x.shape)
    var strides = inStrides
    var offset = 0
    for (k, axis) in a.enumerated() {
      let (start, count) = try Slice.resolve(
        start: starts[k], end: ends[k], step: st[k], dim: x.shape[axis])
      shape[axis] = count
      strides[axis] = inStrides[axis] &* st[k]
      if count > 0 { offset += start * inStrides[axis] }
    }
    if shape == x.shape && st.allSatisfy({ $0 == 1 }) { return [x] }
    try ShapeSupport.requireMovable(x)
    if shape.contains(0) {
      return [CopyKernel.strided(x, shape: shape, offset: 0, strides: inStrides)]
    }
    return [CopyKernel.strided(x, shape: shape, offset: offset, strides: strides)]
  }

  /// The first index and the element count of `start:end:step` on an axis of length `dim`.
  public static func resolve(start: Int, end: Int, step: Int, dim: Int) throws -> (
    start: Int, count: Int
  ) {
    guard step != 0 else { throw OpError("slice step cannot be 0") }
    var s = start < 0 ? start &+ dim : start
    var e = end < 0 ? end &+ dim : end
    if step > 0 {
      s = min(max(s, 0), dim)
      e = min(max(e, 0), dim)
      return (s, e > s ? (e - s - 1) / step + 1 : 0)
    } else {
      s = min(max(s, 0), dim - 1)
      e = min(max(e, -1), dim - 1)
      let back = step == Int.min ? Int.max : -step
      return (s, s > e ? (s - e - 1) / back + 1 : 0)
    }
  }
}
