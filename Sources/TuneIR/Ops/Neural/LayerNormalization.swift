import TuneTensor

/// ONNX `LayerNormalization` (opset 17): normalizes over the axes from `axis` to the last,
/// `Y = (X − mean) · InvStdDev · Scale + B`, with `Scale` and optional `B` broadcast to the
/// normalized shape; optional outputs `Mean` and `InvStdDev` have X's shape with the
/// normalized axes set to 1. Statistics are computed in float32 (`stash_type` 1).
/// https://onnx.ai/onnx/operators/onnx__LayerNormalization.html
public struct LayerNormalization: Operator {
  public static let opType = "LayerNormalization"
  public var axis: Int
  public var epsilon: Float

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: -1)
    epsilon = try node.float("epsilon", default: 1e-5)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "X")
    let scaleIn = try NeuralSupport.required(inputs, 1, "Scale")
    let biasIn = NeuralSupport.optional(inputs, 2)
    let rank = xIn.rank
    let a = axis < 0 ? axis + rank : axis
    guard a >= 0 && a < max(rank, 1) else { throw OpError("axis \(axis) is out of range for rank \(rank)") }
    let normalized = Array(xIn.shape[a...])
    let rows = xIn.shape[..<a].reduce(1, *)
    let length = normalized.reduce(1, *)
    func expand(_ t: Tensor, _ name: String) throws -> [Float] {
      guard Broadcast.shape(t.shape, normalized) == normalized else {
        throw OpError("\(name) of shape \(t.shape) does not broadcast to the normalized shape \(normalized)")
      }
      let values = try NeuralSupport.asFloat(t, name).elements(as: Float.self)
      if t.count == length { return values }
      var out = [Float](repeating: 0, count: length)
      Broadcast.forEachRow(target: normalized, shapes: [t.shape]) { start, offsets, strides, count in
        for i in 0..<count { out[start + i] = values[offsets[0] + i * strides[0]] }
      }
      return out
    }
    let scale = try expand(scaleIn, "Scale")
    let bias = try biasIn.map { try expand($0, "B") }
    let x = try NeuralSupport.asFloat(xIn, "X")
    var y = Tensor(uninitialized: .float, shape: xIn.shape)
    let statsShape = Array(xIn.shape[..<a]) + Array(repeating: 1, count: rank - a)
    var mean = Tensor(uninitialized: .float, shape: statsShape)
    var invStdDev = Tensor(uninitialized: .float, shape: statsShape)
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        mean.withMutableElements(as: Float.self) { mp in
          invStdDev.withMutableElements(as: Float.self) { ip in
            guard let xb = xp.baseAddress, xp.count > 0 else { return }
            NormKernel.moments(
              input: xb, rows: rows, length: length, epsilon: epsilon, mean: mp.baseAddress!,
              invStdDev: ip.baseAddress!)
            if let bias {
              NormKernel.normalizeRows(
                input: xb, rows: rows, length: length, mean: mp.baseAddress!, invStdDev: ip.baseAddress!,
                scale: scale, shift: bias, output: yp.baseAddress!)
            } else {
              NormKernel.normalizeRows(
                input: xb, rows: rows, length: length, mean: mp.baseAddress!, invStdDev: ip.baseAddress!,
                scale: scale, shift: nil, output: yp.baseAddress!)
            }
          }
        }
      }
    }
    return [NeuralSupport.restore(y, to: xIn.dtype), mean, invStdDev]
  }
}
