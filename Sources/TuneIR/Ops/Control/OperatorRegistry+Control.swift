extension OperatorRegistry {
  /// Control ops, alphabetical.
  static let controlOperators: [any Operator.Type] = [
    If.self,
    Loop.self,
    Scan.self,
  ]
}
