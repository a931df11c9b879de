extension OperatorRegistry {
  /// Neural ops, alphabetical.
  static let neuralOperators: [any Operator.Type] = [
    Conv.self,
    ConvTranspose.self,
    Gemm.self,
    MatMul.self,
  ]
}
