import TuneTensor

/// Shared input handling for ONNX's optimizer ops (`ai.onnx.preview.training`): inputs are
/// `R` (learning rate, float scalar), `T` (update count, int64 scalar), then `n` groups of
/// per-tensor inputs (X..., G..., V..., ...), and outputs the updated tensors group by group.
enum TrainingOpSupport {
  static func scalars(_ inputs: [Tensor?], op: String) throws -> (rate: Float, count: Int64) {
    guard inputs.count >= 2, let r = inputs[0], let t = inputs[1], r.count == 1, t.count == 1 else {
      throw OpError("\(op) needs scalar inputs R (learning rate) and T (update count)")
    }
    return (r.floatValues()[0], t.int64Values()[0])
  }

  /// Splits the per-tensor inputs into `groups` lists of `n` float tensors of matching shapes.
  static func groups(_ inputs: [Tensor?], groups: Int, op: String) throws -> [[Tensor]] {
    let rest = Array(inputs.dropFirst(2))
    guard !rest.isEmpty, rest.count % groups == 0 else {
      throw OpError("\(op) expects R, T and \(groups) inputs per optimized tensor, got \(inputs.count) inputs")
    }
    let n = rest.count / groups
    var out: [[Tensor]] = []
    for g in 0..<groups {
      var list: [Tensor] = []
      for i in 0..<n {
        guard let t = rest[g * n + i], t.dtype == .float else {
          throw OpError("\(op): input \(2 + g * n + i) must be a float tensor")
        }
        guard t.shape == rest[i]!.shape else {
          throw OpError("\(op): input \(2 + g * n + i) has shape \(t.shape), its tensor has \(rest[i]!.shape)")
        }
        list.append(t)
      }
      out.append(list)
    }
    return out
  }
}
