extension OperatorRegistry {
  /// Control ops, alphabetical.
  static let controlOperators: [any Operator.Type] = [
  ]
}
