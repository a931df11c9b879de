extension OperatorRegistry {
  /// Shape ops, alphabetical.
  static let shapeOperators: [any Operator.Type] = [
  ]
}
