extension OperatorRegistry {
  /// Training ops, alphabetical.
  static let trainingOperators: [any Operator.Type] = [
  ]
}
