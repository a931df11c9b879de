import TuneTensor

/// `TensorProto`: a constant tensor (initializer, attribute value, `Constant` output) with the
/// fields needed to write it back as the file had it.
///
/// The elements live in `data` (a `Tensor` sharing its buffer with the runtime, so weights are
/// held once). `encoding` records where the file stored them, so that a round trip stores them
/// there again.
public struct TensorProto: Equatable, Sendable {
  /// Where the elements were (or will be) stored in the file.
  public enum Encoding: Equatable, Sendable {
    /// `raw_data` (little-endian bytes).
    case raw
    /// The typed repeated field for the data type (`float_data`, `int32_data`, ...).
    case typed
    /// An external file (`data_location = EXTERNAL`, `external_data` keys).
    case external
  }

  public var name: String?
  public var dims: [Int64]
  /// Raw `data_type` (nil when absent); `data.dtype` agrees whenever it is a known type.
  public var dataType: Int32?
  public var segment: Segment?
  public var docString: String?
  public var encoding: Encoding
  public var externalData: [StringPair]
  public var dataLocation: Int32?
  public var metadataProps: [StringPair]
  public var unknownFields: [UnknownField]
  /// Unknown fields of the `segment` sub-message, kept for writing back.
  public var segmentUnknownFields: [UnknownField] = []
  /// The elements, shaped by `dims`.
  public var data: Tensor

  public struct Segment: Equatable, Sendable {
    public var begin: Int64?
    public var end: Int64?
    public init(begin: Int64?, end: Int64?) {
      self.begin = begin
      self.end = end
    }
  }

  public init(
    name: String?, data: Tensor, encoding: Encoding = .raw, docString: String? = nil,
    segment: Segment? = nil, externalData: [StringPair] = [], dataLocation: Int32? = nil,
    metadataProps: [StringPair] = [], unknownFields: [UnknownField] = [], dataType: Int32? = nil
  ) {
    self.name = name
    self.dims = data.shape.map { Int64($0) }
    self.dataType = dataType ?? data.dtype.rawValue
    self.segment = segment
    self.docString = docString
    self.encoding = encoding
    self.externalData = externalData
    self.dataLocation = dataLocation
    self.metadataProps = metadataProps
    self.unknownFields = unknownFields
    self.data = data
  }

  public static func == (a: TensorProto, b: TensorProto) -> Bool {
    a.name == b.name && a.dims == b.dims && a.dataType == b.dataType && a.segment == b.segment
      && a.docString == b.docString && a.encoding == b.encoding && a.externalData == b.externalData
      && a.dataLocation == b.dataLocation && a.metadataProps == b.metadataProps
      && a.unknownFields == b.unknownFields && a.segmentUnknownFields == b.segmentUnknownFields
      && a.data.isIdentical(to: b.data)
  }
}
