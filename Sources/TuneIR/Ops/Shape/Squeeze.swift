import TuneTensor

/// ONNX `Squeeze`: removes the listed axes (each of size 1), or every size-1 axis when none are
/// given. `axes` is an attribute before opset 13 and an optional input from 13.
/// https://onnx.ai/onnx/operators/onnx__Squeeze.html
public struct Squeeze: ReshapeGradient {
  public static let opType = "Squeeze"
  public var axesAttribute: [Int]?
  public var axesFromInput: Bool

  public init(node: Node, opset: Int) throws {
    axesFromInput = opset >= 13
    axesAttribute = axesFromInput ? nil : try node.ints("axes")
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    var axes = axesAttribute
    if axesFromInput, let t = ShapeSupport.optionalInput(inputs, 1) {
      axes = try ShapeSupport.ints(t, "axes")
    }
    // Empty axes count as omitted (as onnxruntime reads them).
    guard let axes, !axes.isEmpty else { return [x.reshaped(x.shape.filter { $0 != 1 })] }
    let a = Set(try ShapeSupport.axes(axes, rank: x.rank))
    for i in a where x.shape[i] != 1 {
      throw OpError("cannot squeeze axis \(i) of shape \(x.shape): its size is not 1")
    }
    return [x.reshaped(x.shape.enumerated().filter { !a.contains($0.offset) }.map(\.element))]
  }
}
