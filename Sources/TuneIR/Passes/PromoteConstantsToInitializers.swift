/// Turns `Constant` nodes holding weights (floating-point tensors in a weight slot, see
/// `FreezePolicy`) into initializers of the same name, so that they can be trained. Other
/// Constant nodes (shapes, axes, scalars) stay as they are. Semantics-preserving.
public struct PromoteConstantsToInitializers: GraphPass {
  public let name = "PromoteConstantsToInitializers"
  public init() {}

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let slots = ParameterSlots(graph)
    var patch = GraphPatch()
    for (i, n) in graph.nodes.enumerated() where n.isStandard("Constant") {
      guard let out = n.outputs.first, slots.candidates[out] != nil, let t = n.attribute("value")?.t else { continue }
      var tensor = t
      tensor.name = out
      patch.removeNode(at: i)
      patch.setInitializer(tensor)
    }
    return patch
  }
}
