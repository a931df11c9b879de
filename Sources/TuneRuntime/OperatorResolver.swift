import TuneIR

/// Where a plan finds the operator type for a node: the standard `OperatorRegistry`, or a
/// custom set (tests inject their own ops this way).
///
///     let ops = OperatorResolver(["Relu": MyRelu.self, "If": If.self])
///     let session = try InferenceSession(model: model, operators: ops)
public struct OperatorResolver: Sendable {
  private let find: @Sendable (_ opType: String, _ domain: String) -> (any Operator.Type)?

  /// A resolver from a lookup function (`domain` is "" for the default domain).
  public init(_ find: @escaping @Sendable (_ opType: String, _ domain: String) -> (any Operator.Type)?) {
    self.find = find
  }

  /// A resolver over a dictionary of op types by name. Keys are the op type for the default
  /// domain, or `"domain:OpType"` for another domain.
  public init(_ operators: [String: any Operator.Type]) {
    let table = operators
    self.find = { opType, domain in
      domain.isEmpty ? table[opType] : table[domain + ":" + opType]
    }
  }

  /// A resolver over a list of op types, each registered under its own `opType` and `domain`.
  public init(operators: [any Operator.Type]) {
    var table: [String: any Operator.Type] = [:]
    for op in operators {
      let d = op.domain == "ai.onnx" ? "" : op.domain
      table[d.isEmpty ? op.opType : d + ":" + op.opType] = op
    }
    self.init(table)
  }

  /// Every op in `OperatorRegistry`.
  public static let standard = OperatorResolver { OperatorRegistry.lookup(opType: $0, domain: $1) }

  /// This resolver, with `operators` taking precedence.
  public func adding(_ operators: [any Operator.Type]) -> OperatorResolver {
    let extra = OperatorResolver(operators: operators)
    let base = self
    return OperatorResolver { extra.lookup(opType: $0, domain: $1) ?? base.lookup(opType: $0, domain: $1) }
  }

  /// The op type for `opType` in `domain` ("ai.onnx" is the default domain), or nil.
  public func lookup(opType: String, domain: String) -> (any Operator.Type)? {
    find(opType, domain == "ai.onnx" ? "" : domain)
  }
}
