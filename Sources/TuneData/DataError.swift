/// An error from loading a dataset: it names the file (and line, for CSV) and says what was
/// expected and what was found.
public struct DataError: Error, CustomStringConvertible, Equatable, Sendable {
  public var message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}

/// A sample that cannot be read (corrupt or truncated image, not an image at all). Loaders skip
/// such samples and count them in a ``BadDataReport`` instead of stopping.
public struct BadSampleError: Error, CustomStringConvertible, Sendable {
  /// The file the sample came from.
  public var path: String
  /// What went wrong, e.g. `premature end of JPEG data (truncated file)`.
  public var reason: String

  public init(path: String, reason: String) {
    self.path = path
    self.reason = reason
  }

  public var description: String { "\(path): \(reason)" }
}
