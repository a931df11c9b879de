import TuneTensor

/// ONNX `OneHot`: a new axis of length `depth` at `axis` (default -1, the last) holding
/// `values[1]` at each index and `values[0]` elsewhere. Negative indices count from `depth`;
/// indices outside `[-depth, depth)` give a row of `values[0]`.
/// https://onnx.ai/onnx/operators/onnx__OneHot.html
public struct OneHot: Operator {
  public static let opType = "OneHot"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: -1)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let indices = try ShapeSupport.input(inputs, 0, "indices")
    let depthTensor = try ShapeSupport.input(inputs, 1, "depth")
    let values = try ShapeSupport.input(inputs, 2, "values")
    guard indices.dtype.isInteger || indices.dtype.isFloatingPoint,
      depthTensor.dtype.isInteger || depthTensor.dtype.isFloatingPoint, depthTensor.count == 1
    else { throw OpError("indices and depth should be numeric (depth one value)") }
    guard values.count == 2 else {
      throw OpError("values should hold [off, on], got shape \(values.shape)")
    }
    try ShapeSupport.requireMovable(values, "values")
    let depthValue = depthTensor.doubleValue(at: 0)
    guard depthValue >= 1, depthValue < Double(1 << 32) else {
      throw OpError("depth \(depthValue) should be positive")
    }
    let depth = Int(depthValue)
    let r = indices.rank
    guard axis >= -r - 1, axis <= r else {
      throw OpError("axis \(axis) is out of range for output rank \(r + 1)")
    }
    let a = axis < 0 ? axis + r + 1 : axis
    var shape = indices.shape
    shape.insert(depth, at: a)
    _ = try ShapeSupport.checkedShape(shape, "output shape", dtype: values.dtype)
    let outer = Tensor.elementCount(Array(indices.shape[..<a]))
    let inner = Tensor.elementCount(Array(indices.shape[a...]))
    // Block 0 is `off`, block 1 is `on`.
    var blocks = [Int](repeating: 0, count: Tensor.elementCount(shape))
    let load = Tensor.loader(indices.dtype)
    for o in 0..<outer {
      for i in 0..<inner {
        let raw = load(indices.buffer.pointer, o * inner + i)
        if !raw.isFinite { continue }
        var v = Int64(min(max(raw, -1e18), 1e18))
        if v < 0 { v += Int64(depth) }
        if v >= 0 && v < Int64(depth) { blocks[(o * depth + Int(v)) * inner + i] = 1 }
      }
    }
    return [
      CopyKernel.gatherBlocks(
        values.reshaped([2]), blockSize: 1, sourceBlocks: blocks, shape: shape)
    ]
  }
}
