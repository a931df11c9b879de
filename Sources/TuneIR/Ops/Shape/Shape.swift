import TuneTensor

/// ONNX `Shape`: the input's dimensions as a 1-D int64 tensor, limited to `start..<end`
/// (opset 15; negative values count from the end and both are clamped to [0, rank]).
/// https://onnx.ai/onnx/operators/onnx__Shape.html
public struct Shape: Operator {
  public static let opType = "Shape"
  public var start: Int
  public var end: Int?

  public init(node: Node, opset: Int) throws {
    start = opset >= 15 ? try node.int("start", default: 0) : 0
    end = opset >= 15 ? try node.intIfPresent("end") : nil
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let r = x.rank
    func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + r : v, 0), r) }
    let s = clamp(start)
    let e = clamp(end ?? r)
    let dims = s < e ? x.shape[s..<e].map { Int64($0) } : []
    return [Tensor(dims, shape: [dims.count])]
  }
}
