import TuneTensor

/// `TypeProto`: tensor, sequence, map, optional or sparse-tensor types, with their denotation.
public struct TypeProto: Equatable, Sendable {
  public indirect enum Value: Equatable, Sendable {
    case tensor(elemType: Int32?, shape: TensorShape?, unknownFields: [UnknownField])
    case sequence(elemType: TypeProto?, unknownFields: [UnknownField])
    case map(keyType: Int32?, valueType: TypeProto?, unknownFields: [UnknownField])
    case optional(elemType: TypeProto?, unknownFields: [UnknownField])
    case sparseTensor(elemType: Int32?, shape: TensorShape?, unknownFields: [UnknownField])
  }
  public var value: Value?
  public var denotation: String?
  public var unknownFields: [UnknownField]

  public init(value: Value?, denotation: String? = nil, unknownFields: [UnknownField] = []) {
    self.value = value
    self.denotation = denotation
    self.unknownFields = unknownFields
  }

  /// A tensor type with the given element type and dims.
  public static func tensor(_ dtype: DType, _ dims: [Dimension]?) -> TypeProto {
    TypeProto(
      value: .tensor(
        elemType: dtype.rawValue, shape: dims.map { TensorShape(dims: $0) }, unknownFields: []))
  }

  /// Element type of a tensor type, if this is one and the type is known.
  public var tensorElementType: DType? {
    if case .tensor(let e?, _, _) = value { return DType(rawValue: e) }
    return nil
  }

  /// Dims of a tensor type, if this is one with a shape.
  public var tensorDims: [Dimension]? {
    if case .tensor(_, let s?, _) = value { return s.dims.map(\.value) }
    return nil
  }
}

/// `TensorShapeProto`.
public struct TensorShape: Equatable, Sendable {
  public struct Dim: Equatable, Sendable {
    public var value: Dimension
    public var denotation: String?
    public var unknownFields: [UnknownField]
    public init(value: Dimension, denotation: String? = nil, unknownFields: [UnknownField] = []) {
      self.value = value
      self.denotation = denotation
      self.unknownFields = unknownFields
    }
  }
  public var dim: [Dim]
  public var unknownFields: [UnknownField]
  public init(dim: [Dim], unknownFields: [UnknownField] = []) {
    self.dim = dim
    self.unknownFields = unknownFields
  }
  public init(dims: [Dimension]) { self.init(dim: dims.map { Dim(value: $0) }) }
  public var dims: [Dim] { dim }
}

/// One dimension of a declared shape: a number, a symbolic name, or unknown.
public enum Dimension: Equatable, Hashable, Sendable, CustomStringConvertible {
  case value(Int64)
  case symbol(String)
  case unknown

  public var description: String {
    switch self {
    case .value(let v): return String(v)
    case .symbol(let s): return s
    case .unknown: return "?"
    }
  }

  public var fixedValue: Int64? {
    if case .value(let v) = self { return v }
    return nil
  }
}
