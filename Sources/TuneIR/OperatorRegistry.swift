/// Every supported op type, by domain and name. Families keep their own lists
/// (`OperatorRegistry+Family.swift`) so that each op file and its registration sit together.
public enum OperatorRegistry {
  /// Op types by name for the default domain ("" / "ai.onnx").
  public static let standard: [String: any Operator.Type] = {
    var all: [String: any Operator.Type] = [:]
    for list in [mathOperators, shapeOperators, neuralOperators, controlOperators, trainingOperators] {
      for op in list {
        precondition(all[op.opType] == nil, "\(op.opType) registered twice")
        all[op.opType] = op
      }
    }
    return all
  }()

  /// The op type for a node, or nil when unsupported.
  public static func lookup(opType: String, domain: String) -> (any Operator.Type)? {
    let d = domain == "ai.onnx" ? "" : domain
    if d.isEmpty { return standard[opType] }
    if d == "ai.onnx.preview.training" { return trainingOperatorsByName[opType] }
    if d == "com.microsoft" { return opType == FusedConv.opType ? FusedConv.self : nil }
    if d == FusedPointwiseDepthwise.domain {
      switch opType {
      case FusedPointwiseDepthwise.opType: return FusedPointwiseDepthwise.self
      case FoldedDepthwiseConv.opType: return FoldedDepthwiseConv.self
      default: return nil
      }
    }
    return nil
  }

  static let trainingOperatorsByName: [String: any Operator.Type] = Dictionary(
    uniqueKeysWithValues: trainingOperators.map { ($0.opType, $0) })
}
