extension OperatorRegistry {
  /// Neural ops, alphabetical.
  static let neuralOperators: [any Operator.Type] = [
    Gemm.self,
    MatMul.self,
  ]
}
