import TuneTensor

/// `GraphProto`: nodes in file order, with the graph's inputs, outputs, initializers and the
/// rest of its fields kept for the round trip.
public struct Graph: Equatable, Sendable {
  public var nodes: [Node]
  public var name: String?
  public var initializers: [TensorProto]
  public var sparseInitializers: [SparseTensor]
  public var docString: String?
  public var inputs: [ValueInfo]
  public var outputs: [ValueInfo]
  public var valueInfo: [ValueInfo]
  /// `TensorAnnotation` messages, kept as their encoded bytes.
  public var quantizationAnnotations: [OpaqueMessage]
  public var metadataProps: [StringPair]
  public var unknownFields: [UnknownField]

  public init(
    nodes: [Node] = [], name: String? = nil, initializers: [TensorProto] = [],
    sparseInitializers: [SparseTensor] = [], docString: String? = nil, inputs: [ValueInfo] = [],
    outputs: [ValueInfo] = [], valueInfo: [ValueInfo] = [],
    quantizationAnnotations: [OpaqueMessage] = [], metadataProps: [StringPair] = [],
    unknownFields: [UnknownField] = []
  ) {
    self.nodes = nodes
    self.name = name
    self.initializers = initializers
    self.sparseInitializers = sparseInitializers
    self.docString = docString
    self.inputs = inputs
    self.outputs = outputs
    self.valueInfo = valueInfo
    self.quantizationAnnotations = quantizationAnnotations
    self.metadataProps = metadataProps
    self.unknownFields = unknownFields
  }

  /// The initializer named `name`, if any.
  public func initializer(named name: String) -> TensorProto? {
    initializers.first(where: { $0.name == name })
  }

  /// Graph inputs that are not initializers (what a caller must feed).
  public var runtimeInputs: [ValueInfo] {
    let inits = Set(initializers.compactMap(\.name))
    return inputs.filter { !inits.contains($0.name ?? "") }
  }
}

/// `NodeProto`.
public struct Node: Equatable, Sendable {
  /// Input value names; "" marks an omitted optional input.
  public var inputs: [String]
  public var outputs: [String]
  public var name: String?
  public var opType: String?
  public var domain: String?
  public var overload: String?
  public var attributes: [Attribute]
  public var docString: String?
  public var metadataProps: [StringPair]
  /// `NodeDeviceConfigurationProto` messages, kept as their encoded bytes.
  public var deviceConfigurations: [OpaqueMessage]
  public var unknownFields: [UnknownField]

  public init(
    opType: String?, inputs: [String] = [], outputs: [String] = [], name: String? = nil,
    domain: String? = nil, overload: String? = nil, attributes: [Attribute] = [],
    docString: String? = nil, metadataProps: [StringPair] = [],
    deviceConfigurations: [OpaqueMessage] = [], unknownFields: [UnknownField] = []
  ) {
    self.inputs = inputs
    self.outputs = outputs
    self.name = name
    self.opType = opType
    self.domain = domain
    self.overload = overload
    self.attributes = attributes
    self.docString = docString
    self.metadataProps = metadataProps
    self.deviceConfigurations = deviceConfigurations
    self.unknownFields = unknownFields
  }

  /// The attribute named `name`, if present.
  public func attribute(_ name: String) -> Attribute? {
    attributes.first(where: { $0.name == name })
  }

  /// A name for messages: the node's name, else its first output.
  public var displayName: String {
    if let n = name, !n.isEmpty { return n }
    return outputs.first.map { "<output \($0)>" } ?? "<unnamed>"
  }
}

/// `ValueInfoProto`.
public struct ValueInfo: Equatable, Sendable {
  public var name: String?
  public var type: TypeProto?
  public var docString: String?
  public var metadataProps: [StringPair]
  public var unknownFields: [UnknownField]
  public init(
    name: String?, type: TypeProto? = nil, docString: String? = nil, metadataProps: [StringPair] = [],
    unknownFields: [UnknownField] = []
  ) {
    self.name = name
    self.type = type
    self.docString = docString
    self.metadataProps = metadataProps
    self.unknownFields = unknownFields
  }
}
