extension OperatorRegistry {
  /// Neural ops, alphabetical.
  static let neuralOperators: [any Operator.Type] = [
    Attention.self,
    AveragePool.self,
    BatchNormalization.self,
    Conv.self,
    ConvTranspose.self,
    Dropout.self,
    Einsum.self,
    Gemm.self,
    GlobalAveragePool.self,
    GlobalLpPool.self,
    GlobalMaxPool.self,
    GroupNormalization.self,
    InstanceNormalization.self,
    LayerNormalization.self,
    LpPool.self,
    LRN.self,
    MatMul.self,
    MaxPool.self,
    Resize.self,
    RMSNormalization.self,
    TopK.self,
    Upsample.self,
  ]
}
