extension OperatorRegistry {
  /// Math ops, alphabetical.
  static let mathOperators: [any Operator.Type] = [
  ]
}
