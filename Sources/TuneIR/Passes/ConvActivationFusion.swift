import TuneTensor

/// Fuses what follows a `Conv` into one `com.microsoft:FusedConv` node (inference only, like
/// onnxruntime's graph optimizer), so the output is finished while it is still in cache:
///
///     Conv → Relu | Clip | LeakyRelu                 FusedConv(activation)
///     Conv → Add(other) [→ Relu | Clip | LeakyRelu]  FusedConv(Z = other, activation)
///
/// Applies when each intermediate value feeds only the next node and is not a graph output,
/// Clip's bounds are constant scalars, and (for Add) shape inference shows the other operand
/// has exactly the Conv output's shape (no broadcasting). The results equal the unfused
/// graph's bit for bit: bias, sum and activation are applied in the same order. The model
/// must import the `com.microsoft` opset (`ConvActivationFusion.prepare` adds it).
///
/// With `keeping: trainable`, nodes reading a value computed from one of those initializers
/// (`Graph.values(dependingOn:)`) are left as written: FusedConv has no gradient rule.
public struct ConvActivationFusion: GraphPass {
  public let name = "ConvActivationFusion"
  /// Initializers being trained: nothing that depends on them is fused.
  public let trainable: Set<String>
  public init(keeping trainable: Set<String> = []) { self.trainable = trainable }

  /// Adds the `com.microsoft` opset import the fused nodes need, if missing.
  public static func prepare(_ model: inout Model) {
    if model.opsetVersion(domain: "com.microsoft") == nil {
      model.opsetImports.append(OperatorSetID(domain: "com.microsoft", version: 1))
    }
  }

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let consumers = graph.consumerIndices
    let dependent = graph.values(dependingOn: trainable)
    let outputs = Set(graph.outputs.compactMap(\.name))
    var shapes: ShapeInference?
    var patch = GraphPatch()
    var taken = Set<Int>()

    /// The single consumer of `value`, when it is not a graph output.
    func onlyConsumer(_ value: String) -> Int? {
      guard !outputs.contains(value), let c = consumers[value], c.count == 1 else { return nil }
      return c[0]
    }
    func activation(_ node: Node) -> (String, [Float])? {
      if node.isStandard("Relu"), node.inputs.count == 1 { return ("Relu", []) }
      if node.isStandard("LeakyRelu") { return ("LeakyRelu", [(try? node.float("alpha", default: 0.01)) ?? 0.01]) }
      if node.isStandard("Clip") {
        func scalar(_ i: Int) -> Float?? {
          guard i < node.inputs.count, !node.inputs[i].isEmpty else { return .some(nil) }
          guard let t = graph.constantTensor(node.inputs[i])?.tensor, t.dtype == .float, t.count == 1 else { return nil }
          return .some(t.floatValues()[0])
        }
        guard let lo = scalar(1), let hi = scalar(2) else { return nil }
        let low = (try? node.float("min", default: lo ?? -Float.greatestFiniteMagnitude)) ?? -Float.greatestFiniteMagnitude
        let high = (try? node.float("max", default: hi ?? Float.greatestFiniteMagnitude)) ?? Float.greatestFiniteMagnitude
        return ("Clip", [low, high])
      }
      return nil
    }

    for (ci, conv) in graph.nodes.enumerated() where conv.isStandard("Conv") && conv.outputs.count == 1 {
      guard conv.inputs.count >= 2, var next = onlyConsumer(conv.outputs[0]), !taken.contains(next) else { continue }
      // float32 only: in half precision the unfused graph rounds between the nodes.
      if shapes == nil { shapes = ShapeInference(model) }
      guard shapes![conv.outputs[0]]?.elementType == .float else { continue }
      var removed = [next]
      var sum: String? = nil
      var last = conv.outputs[0]
      let add = graph.nodes[next]
      if add.isStandard("Add"), add.inputs.count == 2, add.outputs.count == 1 {
        let other = add.inputs[0] == last ? add.inputs[1] : add.inputs[0]
        guard other != last, !other.isEmpty else { continue }
        guard let a = shapes![last]?.dims, let b = shapes![other]?.dims, a == b, !a.contains(.unknown),
          shapes![other]?.elementType == .float
        else { continue }
        sum = other
        last = add.outputs[0]
        if let n = onlyConsumer(last), !taken.contains(n), activation(graph.nodes[n]) != nil {
          next = n
          removed.append(n)
        }
      }
      let actNode = graph.nodes[next]
      let act = actNode.isStandard("Add") ? nil : activation(actNode)
      if sum == nil && act == nil { continue }
      if act != nil { last = actNode.outputs[0] }
      guard actNode.outputs.count >= 1 else { continue }
      if ([ci] + removed).contains(where: { graph.nodes[$0].inputs.contains(where: dependent.contains) }) { continue }

      var node = conv
      node.domain = "com.microsoft"
      node.opType = FusedConv.opType
      var inputs = conv.inputs
      while inputs.count < 3 { inputs.append("") }
      if let sum { inputs.append(sum) }
      node.inputs = inputs
      node.outputs = [last]
      if let (name, params) = act {
        node.attributes.removeAll { $0.name == "activation" || $0.name == "activation_params" }
        node.attributes.append(.string("activation", name))
        if !params.isEmpty { node.attributes.append(.floats("activation_params", params)) }
      }
      patch.replaceNode(at: ci, with: node)
      for r in removed { patch.removeNode(at: r) }
      taken.formUnion(removed)
      taken.insert(ci)
    }
    return patch
  }
}
