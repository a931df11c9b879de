import TuneIR
import TuneTensor

/// An error preparing or running a model. When it concerns a node, it names the node, its op
/// type and the shapes of its inputs:
///
///     node 'conv1' (Conv): expected a 4-D input, got 3-D; inputs: [float[1,3,224], float[64,3,7,7]]
public struct ExecutionError: Error, CustomStringConvertible, Sendable {
  /// The node's display name, when the error concerns a node.
  public var node: String?
  public var opType: String?
  public var message: String
  /// The node's inputs, rendered (`float[1,3,224,224]`, `none` for an omitted input).
  public var inputs: [String]?

  public init(node: String? = nil, opType: String? = nil, message: String, inputs: [String]? = nil) {
    self.node = node
    self.opType = opType
    self.message = message
    self.inputs = inputs
  }

  /// An error concerning `node`.
  init(_ node: Node, _ message: String, inputs: [String]?) {
    self.init(node: node.displayName, opType: node.opType ?? "?", message: message, inputs: inputs)
  }

  public var description: String {
    var s = ""
    if let node { s += "node '\(node)' (\(opType ?? "?")): " }
    s += message
    if let inputs { s += "; inputs: [" + inputs.joined(separator: ", ") + "]" }
    return s
  }
}

extension ExecutionError {
  /// Renders a tensor as its type and shape, e.g. `float[1,3,224,224]` (`float[]` for a scalar).
  public static func describe(_ tensor: Tensor?) -> String {
    guard let t = tensor else { return "none" }
    return "\(t.dtype)[" + t.shape.map(String.init).joined(separator: ",") + "]"
  }

  /// Renders a declared type, e.g. `float[N,3,224,224]`, or `?` when nothing is declared.
  static func describe(_ type: TypeProto?) -> String {
    guard let type else { return "?" }
    switch type.value {
    case .sequence(let e, _)?: return "sequence(\(describe(e)))"
    case .optional(let e, _)?: return "optional(\(describe(e)))"
    case .map?: return "map"
    case .sparseTensor?: return "sparse tensor"
    case nil: return "?"
    case .tensor?: break
    }
    let elem = type.tensorElementType.map { "\($0)" } ?? "?"
    guard let dims = type.tensorDims else { return elem + "[?]" }
    return elem + "[" + dims.map(\.description).joined(separator: ",") + "]"
  }
}
