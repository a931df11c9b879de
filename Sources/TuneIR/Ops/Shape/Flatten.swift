import TuneTensor

/// ONNX `Flatten`: a 2-D view `[d0*…*d(axis-1), d(axis)*…*d(n-1)]`; `axis` in [-r, r]
/// (negative from opset 11), default 1.
/// https://onnx.ai/onnx/operators/onnx__Flatten.html
public struct Flatten: ReshapeGradient {
  public static let opType = "Flatten"
  public var axis: Int

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: 1)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    let r = x.rank
    guard axis >= -r, axis <= r else {
      throw OpError("axis \(axis) is out of range for rank \(r) (expected [\(-r), \(r)])")
    }
    let a = axis < 0 ? axis + r : axis
    let outer = Tensor.elementCount(Array(x.shape[..<a]))
    let inner = Tensor.elementCount(Array(x.shape[a...]))
    return [x.reshaped([outer, inner])]
  }
}
