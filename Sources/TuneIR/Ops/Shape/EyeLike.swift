import TuneTensor

/// ONNX `EyeLike`: a 2-D tensor shaped like the input with ones on diagonal `k` (0 the main
/// one, positive above it) and zeros elsewhere, of type `dtype` (default: the input's).
/// https://onnx.ai/onnx/operators/onnx__EyeLike.html
public struct EyeLike: Operator {
  public static let opType = "EyeLike"
  public var dtype: DType?
  public var k: Int

  public init(node: Node, opset: Int) throws {
    k = try node.int("k", default: 0)
    if let raw = try node.intIfPresent("dtype") {
      guard let d = Int32(exactly: raw).flatMap(DType.init(rawValue:)) else {
        throw OpError("dtype \(raw) is not an ONNX element type")
      }
      dtype = d
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "input")
    guard x.rank == 2 else { throw OpError("input should be 2-D, got \(x.shape)") }
    let type = dtype ?? x.dtype
    guard type.isInteger || type.isFloatingPoint || type == .bool else {
      throw OpError("EyeLike does not support \(type)")
    }
    let out = Tensor(zeros: type, shape: x.shape)
    let store = Tensor.storer(type)
    let (rows, cols) = (x.shape[0], x.shape[1])
    for i in 0..<rows {
      let (j, overflow) = i.addingReportingOverflow(k)
      if !overflow && j >= 0 && j < cols { store(out.buffer.pointer, i * cols + j, 1) }
    }
    return [out]
  }
}
