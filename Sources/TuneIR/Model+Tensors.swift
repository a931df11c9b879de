extension Model {
  /// Calls `body` on every tensor the model holds: initializers, sparse initializers, and tensor
  /// attributes, in the main graph, subgraphs, training graphs and functions.
  public func forEachTensor(_ body: (TensorProto) -> Void) {
    var copy = self
    copy.transformTensors { body($0) }
  }

  /// Edits every tensor the model holds in place (see `forEachTensor`).
  public mutating func transformTensors(_ body: (inout TensorProto) -> Void) {
    graph?.transformTensors(body)
    for i in trainingInfo.indices {
      trainingInfo[i].initialization?.transformTensors(body)
      trainingInfo[i].algorithm?.transformTensors(body)
    }
    for i in functions.indices {
      for n in functions[i].nodes.indices { functions[i].nodes[n].transformTensors(body) }
      for a in functions[i].attributeProtos.indices { functions[i].attributeProtos[a].transformTensors(body) }
    }
  }
}

extension Graph {
  /// Edits every tensor of this graph and its subgraphs in place.
  public mutating func transformTensors(_ body: (inout TensorProto) -> Void) {
    for i in initializers.indices { body(&initializers[i]) }
    for i in sparseInitializers.indices { sparseInitializers[i].transformTensors(body) }
    for i in nodes.indices { nodes[i].transformTensors(body) }
  }
}

extension Node {
  mutating func transformTensors(_ body: (inout TensorProto) -> Void) {
    for i in attributes.indices { attributes[i].transformTensors(body) }
  }
}

extension Attribute {
  mutating func transformTensors(_ body: (inout TensorProto) -> Void) {
    if t != nil { body(&t!) }
    for i in tensors.indices { body(&tensors[i]) }
    sparseTensor?.transformTensors(body)
    for i in sparseTensors.indices { sparseTensors[i].transformTensors(body) }
    for i in graphStorage.indices { graphStorage[i].transformTensors(body) }
    for i in graphs.indices { graphs[i].transformTensors(body) }
  }
}

extension SparseTensor {
  mutating func transformTensors(_ body: (inout TensorProto) -> Void) {
    if values != nil { body(&values!) }
    if indices != nil { body(&indices!) }
  }
}
