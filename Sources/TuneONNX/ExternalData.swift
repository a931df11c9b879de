import TuneIR
import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Reads tensors stored outside the model file (`data_location = EXTERNAL`).
///
/// `location` is resolved relative to the model's folder. A location that is absolute, contains
/// a `..` component, or resolves (through symbolic links) to a place outside the model's folder
/// is refused. Each tensor is read once, with `pread`, straight into its own buffer.
final class ExternalDataReader {
  let directory: String
  private let realDirectory: String
  private var files: [String: (fd: Int32, size: Int)] = [:]

  init(directory: String) {
    self.directory = directory
    self.realDirectory = ExternalDataReader.realPath(directory) ?? directory
  }

  deinit { for (_, f) in files { close(f.fd) } }

  static func realPath(_ path: String) -> String? {
    guard let p = realpath(path, nil) else { return nil }
    defer { free(p) }
    return String(cString: p)
  }

  /// Checks that `location` names a file inside the model's folder; returns its full path.
  static func validate(location: String, tensor: String) throws -> String {
    if location.isEmpty { throw DecodeError("tensor '\(tensor)': external data location is empty") }
    if location.hasPrefix("/") {
      throw DecodeError("tensor '\(tensor)': external data location '\(location)' is absolute; it must be relative to the model's folder")
    }
    if location.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == ".." }) {
      throw DecodeError("tensor '\(tensor)': external data location '\(location)' contains '..'; it must stay inside the model's folder")
    }
    if location.contains("\0") || location.contains("\\") {
      throw DecodeError("tensor '\(tensor)': external data location '\(location)' has a forbidden character")
    }
    return location
  }

  func read(tensor: String, keys: [StringPair], byteCount: Int) throws -> TensorBuffer {
    var location: String?
    var offset = 0
    var length: Int?
    for k in keys {
      switch k.key {
      case "location": location = k.value
      case "offset":
        guard let v = k.value.flatMap({ Int($0) }), v >= 0 else {
          throw DecodeError("tensor '\(tensor)': external data offset '\(k.value ?? "")' is not a non-negative integer")
        }
        offset = v
      case "length":
        guard let v = k.value.flatMap({ Int($0) }), v >= 0 else {
          throw DecodeError("tensor '\(tensor)': external data length '\(k.value ?? "")' is not a non-negative integer")
        }
        length = v
      default: break  // checksum and future keys are kept, not interpreted
      }
    }
    guard let location else {
      throw DecodeError("tensor '\(tensor)': external data has no 'location' key")
    }
    let relative = try ExternalDataReader.validate(location: location, tensor: tensor)
    if let length, length != byteCount {
      throw DecodeError("tensor '\(tensor)': external data length \(length) does not match the \(byteCount) bytes its dims and type need")
    }
    let file = try open(relative, tensor: tensor)
    let (end, overflow) = offset.addingReportingOverflow(byteCount)
    if overflow {
      throw DecodeError("tensor '\(tensor)': external data '\(location)' has \(file.size) bytes, the tensor needs \(byteCount) bytes from offset \(offset), past any file size")
    }
    guard end <= file.size else {
      throw DecodeError("tensor '\(tensor)': external data '\(location)' has \(file.size) bytes, the tensor needs bytes \(offset)..<\(offset &+ byteCount)")
    }
    let buffer = TensorBuffer(uninitializedByteCount: byteCount)
    var done = 0
    while done < byteCount {
      let n = pread(file.fd, buffer.pointer + done, min(byteCount - done, 1 << 30), off_t(offset + done))
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        throw DecodeError("tensor '\(tensor)': reading external data '\(location)' failed: \(String(cString: strerror(errno)))")
      }
      done += n
    }
    return buffer
  }

  private func open(_ relative: String, tensor: String) throws -> (fd: Int32, size: Int) {
    if let f = files[relative] { return f }
    let full = directory.isEmpty ? relative : directory + "/" + relative
    guard let real = ExternalDataReader.realPath(full) else {
      throw DecodeError("tensor '\(tensor)': external data file '\(relative)' not found beside the model (\(String(cString: strerror(errno))))")
    }
    guard real.hasPrefix(realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/") else {
      throw DecodeError("tensor '\(tensor)': external data file '\(relative)' resolves to '\(real)', outside the model's folder")
    }
    // O_NONBLOCK: a FIFO or device in the model's folder must give an error below, not block
    // the open (it has no effect on reads of a regular file); O_NOFOLLOW: `real` has no
    // symbolic links left, so one appearing now (a swap after realpath) is refused.
    let fd = Glibc.open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
    guard fd >= 0 else {
      throw DecodeError("tensor '\(tensor)': cannot open external data file '\(relative)': \(String(cString: strerror(errno)))")
    }
    var st = stat()
    guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else {
      close(fd)
      throw DecodeError("tensor '\(tensor)': external data '\(relative)' is not a regular file")
    }
    let f = (fd: fd, size: Int(st.st_size))
    files[relative] = f
    return f
  }
}
