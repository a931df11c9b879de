import TuneTensor

/// An ONNX model: every field of `ModelProto`, kept so that a model read and written back is
/// the model the user gave us.
///
/// Optional scalars are `nil` when the file did not set them (proto2 presence), so that a round
/// trip writes exactly the fields that were there.
public struct Model: Equatable, Sendable {
  public var irVersion: Int64?
  public var opsetImports: [OperatorSetID]
  public var producerName: String?
  public var producerVersion: String?
  public var domain: String?
  public var modelVersion: Int64?
  public var docString: String?
  public var graph: Graph?
  public var metadataProps: [StringPair]
  public var trainingInfo: [TrainingInfo]
  public var functions: [Function]
  /// `DeviceConfigurationProto` messages, kept as their encoded bytes.
  public var configurations: [OpaqueMessage]
  public var unknownFields: [UnknownField]

  public init(
    irVersion: Int64? = nil, opsetImports: [OperatorSetID] = [], producerName: String? = nil,
    producerVersion: String? = nil, domain: String? = nil, modelVersion: Int64? = nil,
    docString: String? = nil, graph: Graph? = nil, metadataProps: [StringPair] = [],
    trainingInfo: [TrainingInfo] = [], functions: [Function] = [],
    configurations: [OpaqueMessage] = [], unknownFields: [UnknownField] = []
  ) {
    self.irVersion = irVersion
    self.opsetImports = opsetImports
    self.producerName = producerName
    self.producerVersion = producerVersion
    self.domain = domain
    self.modelVersion = modelVersion
    self.docString = docString
    self.graph = graph
    self.metadataProps = metadataProps
    self.trainingInfo = trainingInfo
    self.functions = functions
    self.configurations = configurations
    self.unknownFields = unknownFields
  }

  /// The opset version imported for `domain` ("" and "ai.onnx" are the same domain).
  public func opsetVersion(domain: String = "") -> Int? {
    let wanted = domain == "ai.onnx" ? "" : domain
    for o in opsetImports {
      let d = (o.domain ?? "") == "ai.onnx" ? "" : (o.domain ?? "")
      if d == wanted, let v = o.version { return Int(v) }
    }
    return nil
  }

  /// Value of a `metadata_props` key, if present.
  public func metadata(_ key: String) -> String? {
    metadataProps.first(where: { $0.key == key })?.value
  }

  /// Sets (or replaces) a `metadata_props` entry.
  public mutating func setMetadata(_ key: String, _ value: String) {
    if let i = metadataProps.firstIndex(where: { $0.key == key }) {
      metadataProps[i].value = value
    } else {
      metadataProps.append(StringPair(key: key, value: value))
    }
  }
}

/// `OperatorSetIdProto`.
public struct OperatorSetID: Equatable, Sendable {
  public var domain: String?
  public var version: Int64?
  public var unknownFields: [UnknownField]
  public init(domain: String? = nil, version: Int64? = nil, unknownFields: [UnknownField] = []) {
    self.domain = domain
    self.version = version
    self.unknownFields = unknownFields
  }
}

/// `StringStringEntryProto`.
public struct StringPair: Equatable, Sendable {
  public var key: String?
  public var value: String?
  public var unknownFields: [UnknownField] = []
  public init(key: String?, value: String?) {
    self.key = key
    self.value = value
  }
}

/// A message the IR does not interpret, kept as its protobuf encoding and written back as is.
public struct OpaqueMessage: Equatable, Sendable {
  public var bytes: [UInt8]
  public init(bytes: [UInt8]) { self.bytes = bytes }
}

/// A field the schema does not know (from a newer ONNX), kept as protobuf-c read it.
public struct UnknownField: Equatable, Sendable {
  public var tag: UInt32
  public var wireType: Int32
  public var data: [UInt8]
  public init(tag: UInt32, wireType: Int32, data: [UInt8]) {
    self.tag = tag
    self.wireType = wireType
    self.data = data
  }
}

/// `TrainingInfoProto`.
public struct TrainingInfo: Equatable, Sendable {
  public var initialization: Graph?
  public var algorithm: Graph?
  public var initializationBinding: [StringPair]
  public var updateBinding: [StringPair]
  public var unknownFields: [UnknownField]
  public init(
    initialization: Graph? = nil, algorithm: Graph? = nil, initializationBinding: [StringPair] = [],
    updateBinding: [StringPair] = [], unknownFields: [UnknownField] = []
  ) {
    self.initialization = initialization
    self.algorithm = algorithm
    self.initializationBinding = initializationBinding
    self.updateBinding = updateBinding
    self.unknownFields = unknownFields
  }
}

/// `FunctionProto`: a model-local function.
public struct Function: Equatable, Sendable {
  public var name: String?
  public var inputs: [String]
  public var outputs: [String]
  public var attributeNames: [String]
  public var attributeProtos: [Attribute]
  public var nodes: [Node]
  public var docString: String?
  public var opsetImports: [OperatorSetID]
  public var domain: String?
  public var overload: String?
  public var valueInfo: [ValueInfo]
  public var metadataProps: [StringPair]
  public var unknownFields: [UnknownField]
  public init(
    name: String? = nil, inputs: [String] = [], outputs: [String] = [], attributeNames: [String] = [],
    attributeProtos: [Attribute] = [], nodes: [Node] = [], docString: String? = nil,
    opsetImports: [OperatorSetID] = [], domain: String? = nil, overload: String? = nil,
    valueInfo: [ValueInfo] = [], metadataProps: [StringPair] = [], unknownFields: [UnknownField] = []
  ) {
    self.name = name
    self.inputs = inputs
    self.outputs = outputs
    self.attributeNames = attributeNames
    self.attributeProtos = attributeProtos
    self.nodes = nodes
    self.docString = docString
    self.opsetImports = opsetImports
    self.domain = domain
    self.overload = overload
    self.valueInfo = valueInfo
    self.metadataProps = metadataProps
    self.unknownFields = unknownFields
  }
}
