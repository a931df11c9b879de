import TuneTensor

/// Folds a `BatchNormalization` (inference form) into the `Conv` or `Gemm` before it, for
/// deployment export and for the frozen part of a model being trained (a folded BatchNorm
/// cannot train):
///
///     f = scale / sqrt(var + epsilon)
///     W'[c, ...] = W[c, ...] * f[c]           (Gemm: the output column c of alpha * B)
///     b'[c]      = (b[c] - mean[c]) * f[c] + bias[c]     (Gemm: b = beta * C)
///
/// Applies when the Conv/Gemm output feeds only the BatchNorm, every parameter is a float
/// constant, and the BatchNorm has one used output. The folded weights are new initializers
/// (`<node>.bn_folded_weight`, `.bn_folded_bias`); the originals are left to
/// `DeadNodeElimination`.
///
/// With `keeping: trainable`, a pair is left as written when the Conv/Gemm or the BatchNorm
/// reads a value computed from one of those initializers (`Graph.values(dependingOn:)`): a
/// trainable weight, scale or bias, or anything downstream of one, must keep its gradient.
public struct BatchNormFolding: GraphPass {
  public let name = "BatchNormFolding"
  /// Initializers being trained: nothing that depends on them is folded.
  public let trainable: Set<String>
  public init(keeping trainable: Set<String> = []) { self.trainable = trainable }

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let dependent = graph.values(dependingOn: trainable)
    let producer = graph.producerIndex
    let consumers = graph.consumerIndices
    let outputs = Set(graph.outputs.compactMap(\.name))
    var names = ValueNames(graph)
    var patch = GraphPatch()
    for (bi, bn) in graph.nodes.enumerated() where bn.isStandard("BatchNormalization") && bn.inputs.count == 5 {
      if bn.outputs.dropFirst().contains(where: { !$0.isEmpty && (consumers[$0] != nil || outputs.contains($0)) }) { continue }
      if ((try? bn.int("training_mode", default: 0)) ?? 0) != 0 { continue }
      guard let pi = producer[bn.inputs[0]], consumers[bn.inputs[0]]?.count == 1, !outputs.contains(bn.inputs[0]) else { continue }
      let layer = graph.nodes[pi]
      guard layer.isStandard("Conv") || layer.isStandard("Gemm"), layer.outputs.count == 1 else { continue }
      if (layer.inputs + bn.inputs).contains(where: dependent.contains) { continue }
      func floats(_ name: String) -> [Float]? {
        guard let t = graph.constantTensor(name)?.tensor, t.dtype == .float else { return nil }
        return t.floatValues()
      }
      guard let scale = floats(bn.inputs[1]), let shift = floats(bn.inputs[2]), let mean = floats(bn.inputs[3]),
        let variance = floats(bn.inputs[4]), layer.inputs.count >= 2, let wt = graph.constantTensor(layer.inputs[1])?.tensor,
        wt.dtype == .float
      else { continue }
      let c = scale.count
      guard shift.count == c, mean.count == c, variance.count == c else { continue }
      let eps = (try? bn.float("epsilon", default: 1e-5)) ?? 1e-5
      let f = (0..<c).map { scale[$0] / (variance[$0] + eps).squareRoot() }
      var w = wt.floatValues()
      var bias = [Float](repeating: 0, count: c)
      var node = layer
      if layer.isStandard("Conv") {
        guard wt.rank >= 3, wt.shape[0] == c else { continue }
        if layer.inputs.count > 2, !layer.inputs[2].isEmpty {
          guard let b = floats(layer.inputs[2]), b.count == c else { continue }
          bias = b
        }
        let per = wt.count / c
        for o in 0..<c { for k in 0..<per { w[o * per + k] *= f[o] } }
      } else {
        guard wt.rank == 2, ((try? layer.int("transA", default: 0)) ?? 0) == 0 else { continue }
        let transB = ((try? layer.int("transB", default: 0)) ?? 0) != 0
        let alpha = (try? layer.float("alpha", default: 1)) ?? 1
        let beta = (try? layer.float("beta", default: 1)) ?? 1
        let (rows, cols) = (wt.shape[0], wt.shape[1])
        guard (transB ? rows : cols) == c else { continue }
        if layer.inputs.count > 2, !layer.inputs[2].isEmpty {
          guard let t = graph.constantTensor(layer.inputs[2])?.tensor, t.dtype == .float else { continue }
          let b = t.floatValues()
          guard t.count == c && (t.rank == 1 || t.shape == [1, c]) || t.count == 1 else { continue }
          bias = (0..<c).map { beta * b[b.count == 1 ? 0 : $0] }
        }
        for r in 0..<rows { for k in 0..<cols { w[r * cols + k] *= alpha * f[transB ? r : k] } }
        node.attributes.removeAll { $0.name == "alpha" || $0.name == "beta" }
      }
      for o in 0..<c { bias[o] = (bias[o] - mean[o]) * f[o] + shift[o] }
      let wName = names.fresh("\(layer.displayName).bn_folded_weight")
      let bName = names.fresh("\(layer.displayName).bn_folded_bias")
      patch.setInitializer(TensorProto(name: wName, data: Tensor(w, shape: wt.shape)))
      patch.setInitializer(TensorProto(name: bName, data: Tensor(bias, shape: [c])))
      node.inputs = [layer.inputs[0], wName, bName]
      node.outputs = [bn.outputs[0]]
      patch.replaceNode(at: pi, with: node)
      patch.removeNode(at: bi)
    }
    return patch
  }
}
