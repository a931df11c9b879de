import TuneTensor

/// Folds shape computations into constants (the chains PyTorch exports for `x.view(x.size(0), -1)`:
/// `Shape → Gather → Unsqueeze → Concat → Reshape`).
///
/// 1. A node among `Shape`, `Size`, `Gather`, `Unsqueeze`, `Squeeze`, `Concat`, `Slice`, `Cast`,
///    `Identity`, `Add`, `Sub`, `Mul`, `Div` whose integer result is fully known from static
///    dims and constants (see `ShapeInference.values`) becomes an initializer of the same name.
/// 2. A `Reshape` whose target shape is known except for symbolic dims (a batch) that sit at the
///    same position in its data input gets a constant target with `0` ("copy this dim") there.
///
/// The nodes left without consumers are removed by `DeadNodeElimination`. Semantics-preserving.
public struct ShapeConstantFolding: GraphPass {
  public let name = "ShapeConstantFolding"
  public init() {}

  static let foldable: Set<String> = [
    "Shape", "Size", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "Identity", "Add", "Sub", "Mul", "Div",
  ]

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let shapes = ShapeInference(model)
    let outputs = Set(graph.outputs.compactMap(\.name))
    var patch = GraphPatch()
    var folded = Set<String>()
    for (i, n) in graph.nodes.enumerated() {
      guard n.isStandard(n.opType ?? ""), Self.foldable.contains(n.opType ?? ""), n.outputs.count == 1,
        let out = n.outputs.first, !outputs.contains(out), let value = shapes.values[out],
        let type = shapes[out]?.elementType, type == .int64 || type == .int32, let rank = shapes[out]?.rank, rank <= 1
      else { continue }
      var ints: [Int64] = []
      for d in value {
        guard let v = d.fixedValue else { break }
        ints.append(v)
      }
      guard ints.count == value.count, rank == 1 || ints.count == 1 else { continue }
      let tensor = type == .int64 ? Tensor(ints, shape: rank == 0 ? [] : [ints.count]) : Tensor(ints.map { Int32(truncatingIfNeeded: $0) }, shape: rank == 0 ? [] : [ints.count])
      patch.removeNode(at: i)
      patch.setInitializer(TensorProto(name: out, data: tensor))
      folded.insert(out)
    }
    // Reshape targets with symbolic dims copied from the data input.
    var names = ValueNames(graph)
    for (i, n) in graph.nodes.enumerated() where n.isStandard("Reshape") && n.inputs.count == 2 {
      let target = n.inputs[1]
      guard !folded.contains(target), !graph.isConstant(target), let value = shapes.values[target],
        ((try? n.int("allowzero", default: 0)) ?? 0) == 0, let data = shapes[n.inputs[0]]?.dims
      else { continue }
      var ints: [Int64] = []
      for (k, d) in value.enumerated() {
        if let v = d.fixedValue {
          ints.append(v)
        } else if case .symbol = d, k < data.count, data[k] == d {
          ints.append(0)
        } else {
          break
        }
      }
      guard ints.count == value.count else { continue }
      let name = names.fresh("\(n.displayName)_shape")
      var node = n
      node.inputs[1] = name
      patch.replaceNode(at: i, with: node)
      patch.setInitializer(TensorProto(name: name, data: Tensor(ints, shape: [ints.count])))
    }
    return patch
  }
}
