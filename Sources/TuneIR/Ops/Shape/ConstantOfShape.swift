import TuneTensor

/// ONNX `ConstantOfShape`: a tensor of the shape given by the 1-D int64 input, every element
/// equal to the one-element `value` attribute (default float32 0).
/// https://onnx.ai/onnx/operators/onnx__ConstantOfShape.html
public struct ConstantOfShape: Operator {
  public static let opType = "ConstantOfShape"
  public var value: Tensor

  public init(node: Node, opset: Int) throws {
    if let v = try node.tensor("value") {
      guard v.count == 1 else {
        throw OpError("attribute 'value' should hold one element, got \(v.shape)")
      }
      try ShapeSupport.requireMovable(v, "value")
      value = v.reshaped([])
    } else {
      value = Tensor(scalar: Float(0))
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let dims = try ShapeSupport.ints(ShapeSupport.input(inputs, 0, "input"), "input")
    let shape = try ShapeSupport.checkedShape(dims, "shape", dtype: value.dtype)
    return [CopyKernel.filled(value, shape: shape)]
  }
}
