extension OperatorRegistry {
  /// Neural ops, alphabetical.
  static let neuralOperators: [any Operator.Type] = [
    AveragePool.self,
    Conv.self,
    ConvTranspose.self,
    Gemm.self,
    GlobalAveragePool.self,
    GlobalMaxPool.self,
    LpPool.self,
    MatMul.self,
    MaxPool.self,
  ]
}
