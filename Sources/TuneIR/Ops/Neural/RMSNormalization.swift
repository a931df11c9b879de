import TuneTensor

/// ONNX `RMSNormalization` (opset 23): `Y = X / sqrt(mean(X²) + epsilon) · scale`, the mean over
/// the axes from `axis` to the last, `scale` broadcast against X (NumPy rules, as the spec's
/// function body does). Statistics in float32 (`stash_type` 1).
/// https://onnx.ai/onnx/operators/onnx__RMSNormalization.html
public struct RMSNormalization: Operator {
  public static let opType = "RMSNormalization"
  public var axis: Int
  public var epsilon: Float

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: -1)
    epsilon = try node.float("epsilon", default: 1e-5)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    let scaleIn = try NeuralSupport.required(inputs, 1, "scale")
    let rank = xIn.rank
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < max(rank, 1) else { throw OpError("axis \(axis) is out of range for rank \(rank)") }
    guard Broadcast.shape(xIn.shape, scaleIn.shape) == xIn.shape else {
      throw OpError("scale of shape \(scaleIn.shape) does not broadcast to X's shape \(xIn.shape)")
    }
    let rows = xIn.shape[..<a].reduce(1, *)
    let length = xIn.shape[a...].reduce(1, *)
    let x = try NeuralSupport.asFloat(xIn, "X").elements(as: Float.self)
    let scale = try NeuralSupport.asFloat(scaleIn, "scale").elements(as: Float.self)
    var y = [Float](repeating: 0, count: x.count)
    for r in 0..<rows {
      var squares: Float = 0
      for i in 0..<length { squares += x[r * length + i] * x[r * length + i] }
      let inv = 1 / (squares / Float(max(length, 1)) + epsilon).squareRoot()
      for i in 0..<length { y[r * length + i] = x[r * length + i] * inv }
    }
    Broadcast.forEachRow(target: xIn.shape, shapes: [scaleIn.shape]) { start, offsets, strides, count in
      for i in 0..<count { y[start + i] *= scale[offsets[0] + i * strides[0]] }
    }
    return [NeuralSupport.restore(Tensor(y, shape: xIn.shape), to: xIn.dtype)]
  }
}
