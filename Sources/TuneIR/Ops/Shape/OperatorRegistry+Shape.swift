extension OperatorRegistry {
  /// Shape ops, alphabetical.
  static let shapeOperators: [any Operator.Type] = [
    Concat.self,
    Flatten.self,
    Gather.self,
    GatherElements.self,
    GatherND.self,
    Identity.self,
    Reshape.self,
    Scatter.self,
    ScatterElements.self,
    ScatterND.self,
    Slice.self,
    Split.self,
    Squeeze.self,
    Transpose.self,
    Unsqueeze.self,
  ]
}
