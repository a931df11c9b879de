/// An error reading or writing an ONNX file: names the file and, where known, the tensor, node
/// or byte offset, and what was expected. `description` is one line, ready for a user.
public struct ONNXError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file involved.
  public var path: String
  /// What went wrong, e.g. "truncated at byte 120 (field 8)".
  public var message: String

  public init(path: String, _ message: String) {
    self.path = path
    self.message = message
  }

  public var description: String { "\(path): \(message)" }
}

/// A problem found while converting protobuf-c messages, before the file name is attached.
struct DecodeError: Error {
  var message: String
  init(_ message: String) { self.message = message }
}
