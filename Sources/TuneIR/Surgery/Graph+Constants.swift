import TuneTensor

/// Where a constant tensor lives in a graph.
public enum ConstantSource: Equatable, Sendable, CustomStringConvertible {
  case initializer
  /// A `Constant` node (by display name) whose `value` attribute holds it.
  case constantNode(String)
  public var description: String {
    switch self {
    case .initializer: return "initializer"
    case .constantNode(let n): return "Constant node '\(n)'"
    }
  }
}

extension Graph {
  /// The tensor of a value that is an initializer or the output of a `Constant` node (with a
  /// `value` tensor attribute), if it is one. Graph inputs that shadow an initializer (IR < 4
  /// models let callers override those) still count as constants here.
  public func constantTensor(_ name: String) -> (tensor: Tensor, source: ConstantSource)? {
    guard !name.isEmpty else { return nil }
    if let t = initializer(named: name) { return (t.data, .initializer) }
    if let n = nodes.first(where: { $0.isStandard("Constant") && $0.outputs.first == name }),
      let t = n.attribute("value")?.t
    {
      return (t.data, .constantNode(n.displayName))
    }
    return nil
  }

  /// True when `name` is an initializer or the output of a `Constant` node.
  public func isConstant(_ name: String) -> Bool {
    if initializer(named: name) != nil { return true }
    return nodes.contains { $0.isStandard("Constant") && $0.outputs.first == name }
  }
}
