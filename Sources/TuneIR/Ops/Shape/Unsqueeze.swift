import TuneTensor

/// ONNX `Unsqueeze`: inserts size-1 axes at `axes` (positions in the output, negative counted
/// from its end). `axes` is an attribute before opset 13 and a required input from 13.
/// https://onnx.ai/onnx/operators/onnx__Unsqueeze.html
public struct Unsqueeze: ReshapeGradient {
  public static let opType = "Unsqueeze"
  public var axesAttribute: [Int]?

  public init(node: Node, opset: Int) throws {
    if opset < 13 {
      guard let a = try node.ints("axes") else { throw OpError("attribute 'axes' is required") }
      axesAttribute = a
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let axes = try axesAttribute ?? ShapeSupport.ints(ShapeSupport.input(inputs, 1, "axes"), "axes")
    let rank = x.rank + axes.count
    let a = Set(try ShapeSupport.axes(axes, rank: rank))
    var shape: [Int] = []
    var next = 0
    for i in 0..<rank {
      if a.contains(i) {
        shape.append(1)
      } else {
        shape.append(x.shape[next])
        next += 1
      }
    }
    return [x.reshaped(shape)]
  }
}
