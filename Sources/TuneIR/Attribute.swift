import TuneTensor

/// `AttributeProto`: every field, as the file had it. `type` is the raw `AttributeType`.
public struct Attribute: Equatable, Sendable {
  /// `AttributeProto.AttributeType` values.
  public enum Kind: Int32, Sendable {
    case undefined = 0, float = 1, int = 2, string = 3, tensor = 4, graph = 5, floats = 6, ints = 7,
      strings = 8, tensors = 9, graphs = 10, sparseTensor = 11, sparseTensors = 12, typeProto = 13,
      typeProtos = 14
  }

  public var name: String?
  public var refAttrName: String?
  public var docString: String?
  public var type: Int32?
  public var f: Float?
  public var i: Int64?
  public var s: [UInt8]?
  public var t: TensorProto?
  /// Stored in an array because a struct cannot contain itself; use `g`.
  public var graphStorage: [Graph]
  public var sparseTensor: SparseTensor?
  public var tp: TypeProto?
  public var floats: [Float]
  public var ints: [Int64]
  public var strings: [[UInt8]]
  public var tensors: [TensorProto]
  public var graphs: [Graph]
  public var sparseTensors: [SparseTensor]
  public var typeProtos: [TypeProto]
  public var unknownFields: [UnknownField]

  public init(name: String?) {
    self.name = name
    graphStorage = []
    floats = []
    ints = []
    strings = []
    tensors = []
    graphs = []
    sparseTensors = []
    typeProtos = []
    unknownFields = []
  }

  public var g: Graph? {
    get { graphStorage.first }
    set { graphStorage = newValue.map { [$0] } ?? [] }
  }

  public var kind: Kind? { type.flatMap(Kind.init(rawValue:)) }

  public static func == (a: Attribute, b: Attribute) -> Bool {
    a.name == b.name && a.refAttrName == b.refAttrName && a.docString == b.docString
      && a.type == b.type && a.f?.bitPattern == b.f?.bitPattern && a.i == b.i && a.s == b.s
      && a.t == b.t && a.graphStorage == b.graphStorage && a.sparseTensor == b.sparseTensor
      && a.tp == b.tp && a.floats.map(\.bitPattern) == b.floats.map(\.bitPattern) && a.ints == b.ints
      && a.strings == b.strings && a.tensors == b.tensors && a.graphs == b.graphs
      && a.sparseTensors == b.sparseTensors && a.typeProtos == b.typeProtos
      && a.unknownFields == b.unknownFields
  }

  // Builders for attributes made by passes.
  public static func int(_ name: String, _ v: Int64) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.int.rawValue
    a.i = v
    return a
  }
  public static func float(_ name: String, _ v: Float) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.float.rawValue
    a.f = v
    return a
  }
  public static func string(_ name: String, _ v: String) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.string.rawValue
    a.s = Array(v.utf8)
    return a
  }
  public static func ints(_ name: String, _ v: [Int64]) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.ints.rawValue
    a.ints = v
    return a
  }
  public static func floats(_ name: String, _ v: [Float]) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.floats.rawValue
    a.floats = v
    return a
  }
  public static func tensor(_ name: String, _ v: TensorProto) -> Attribute {
    var a = Attribute(name: name)
    a.type = Kind.tensor.rawValue
    a.t = v
    return a
  }
}

/// `SparseTensorProto`.
public struct SparseTensor: Equatable, Sendable {
  public var values: TensorProto?
  public var indices: TensorProto?
  public var dims: [Int64]
  public var unknownFields: [UnknownField]
  public init(
    values: TensorProto? = nil, indices: TensorProto? = nil, dims: [Int64] = [],
    unknownFields: [UnknownField] = []
  ) {
    self.values = values
    self.indices = indices
    self.dims = dims
    self.unknownFields = unknownFields
  }
}
