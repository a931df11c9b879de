extension OperatorRegistry {
  /// Training ops (`ai.onnx.preview.training`), alphabetical.
  static let trainingOperators: [any Operator.Type] = [
    Adagrad.self,
    Adam.self,
    Momentum.self,
  ]
}
