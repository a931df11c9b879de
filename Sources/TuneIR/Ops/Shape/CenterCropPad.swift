import TuneTensor

/// ONNX `CenterCropPad` (opset 18): each listed axis (all by default) center-cropped or
/// zero-padded to `shape`; when the difference is odd the extra element is cut or added at
/// the end.
/// https://onnx.ai/onnx/operators/onnx__CenterCropPad.html
public struct CenterCropPad: DataMovementGradient {
  public static let opType = "CenterCropPad"
  public var axes: [Int]?

  public init(node: Node, opset: Int) throws {
    axes = try node.ints("axes")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input_data")
    let shape = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "shape"), "shape")
    let a = try ShapeSupport.axes(axes ?? Array(0..<x.rank), rank: x.rank)
    guard shape.count == a.count, shape.allSatisfy({ $0 >= 0 }) else {
      throw OpError("shape \(shape) should hold \(a.count) non-negative sizes")
    }
    var begin = [Int](repeating: 0, count: x.rank)
    var end = [Int](repeating: 0, count: x.rank)
    for (k, axis) in a.enumerated() {
      let d = shape[k] - x.shape[axis]
      // Grow by d (crop when negative): floor(|d|/2) before, the rest after.
      let before = d >= 0 ? d / 2 : -((-d) / 2)
      begin[axis] = before
      end[axis] = d - before
    }
    return [try Pad.padded(x, begin: begin, end: end, mode: .constant, fill: nil)]
  }
}
