import COnnxProto
import TuneIR
import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Writes the IR back to ONNX files, the mirror of `ONNXReader`: every field the reader kept is
/// written back as it came, each tensor into the field it was read from.
///
/// Files are written atomically: into a temporary file beside the target, flushed, then renamed
/// over it, so an existing file is never half-overwritten. Weights are serialized straight from
/// the tensors' buffers, without an intermediate copy of the whole model.
///
/// ```swift
/// try ONNXWriter.write(model, toPath: "tuned.onnx",
///                      options: .init(externalData: .externalize(thresholdBytes: 1024)))
/// ```
public enum ONNXWriter {
  /// Where tensor data goes.
  public enum ExternalDataPolicy: Sendable, Equatable {
    /// Tensors read from external files go back to external files (same location, offset and
    /// length, relative to the new model's folder); all others inline. A model whose inline
    /// data would exceed protobuf's 2 GiB limit is externalized by itself.
    case keep
    /// Every tensor inline (still externalized by itself over 2 GiB).
    case inline
    /// Tensors of at least `thresholdBytes` go to one file `<model file name>.data` beside the
    /// model, at 64-byte aligned offsets.
    case externalize(thresholdBytes: Int)
  }

  public struct Options: Sendable {
    public var externalData: ExternalDataPolicy
    /// Inline bytes above which the writer externalizes by itself (protobuf's 2 GiB limit,
    /// minus room for the graph).
    public var inlineLimit: Int
    public init(externalData: ExternalDataPolicy = .keep, inlineLimit: Int = Int(Int32.max) - (64 << 20)) {
      self.externalData = externalData
      self.inlineLimit = inlineLimit
    }
  }

  /// Writes `model` to `path` (and its external data beside it).
  public static func write(_ model: Model, toPath path: String, options: Options = Options()) throws {
    let directory = ONNXReader.directoryOf(path)
    let fileName = String(path.split(separator: "/").last ?? Substring(path))
    var model = model
    var policy = options.externalData
    if policy == .inline { model.transformTensors { $0.makeInline() } }
    if case .externalize = policy {} else if inlineBytes(model) > options.inlineLimit {
      policy = .externalize(thresholdBytes: 1024)
    }
    if case .externalize(let threshold) = policy {
      var offset = 0
      let location = fileName + ".data"
      model.transformTensors { t in
        if t.encoding == .external { t.makeInline() }
        guard t.data.dtype != .string, t.data.byteCount >= max(threshold, 1) else { return }
        offset = (offset + 63) & ~63
        t.encoding = .external
        t.dataLocation = 1
        t.externalData = [
          StringPair(key: "location", value: location), StringPair(key: "offset", value: String(offset)),
          StringPair(key: "length", value: String(t.data.byteCount)),
        ]
        offset += t.data.byteCount
      }
    }
    let files = ExternalDataWriter(directory: directory, path: path)
    do {
      let arena = CArena()
      let ctx = EncodeContext(arena: arena, external: { try files.write($0) })
      let m = try makeModel(model, ctx)
      try atomicWrite(path: path) { fd in
        onnx_tune_pack_model_to_fd(m, fd)
      }
      try files.commit()
    } catch {
      files.abandon()
      if let e = error as? ONNXError { throw e }
      if let e = error as? DecodeError { throw ONNXError(path: path, e.message) }
      throw error
    }
  }

  /// Writes one tensor as a `TensorProto` file (inline data).
  public static func write(_ tensor: TensorProto, toPath path: String) throws {
    var tensor = tensor
    tensor.makeInline()
    let arena = CArena()
    let m = try makeTensor(tensor, arena, external: nil)
    try atomicWrite(path: path) { fd in onnx_tune_pack_tensor_to_fd(m, fd) }
  }

  /// The serialized bytes of `model` (for tests and small models): all data inline, or, with
  /// `keepingExternalReferences`, external tensors written as references only (their
  /// `external_data` keys, no bytes).
  public static func serialize(_ model: Model, keepingExternalReferences: Bool = false) throws -> [UInt8] {
    var model = model
    if !keepingExternalReferences { model.transformTensors { $0.makeInline() } }
    let arena = CArena()
    let m = try makeModel(model, EncodeContext(arena: arena, external: { $0.externalData }))
    let size = onnx__model_proto__get_packed_size(m)
    var bytes = [UInt8](repeating: 0, count: size)
    _ = bytes.withUnsafeMutableBufferPointer { onnx__model_proto__pack(m, $0.baseAddress) }
    return bytes
  }

  /// Bytes of tensor data that would be written inline.
  static func inlineBytes(_ model: Model) -> Int {
    var total = 0
    model.forEachTensor { t in
      if t.encoding != .external {
        total += t.data.dtype == .string ? t.data.strings.reduce(0) { $0 + $1.count + 2 } : t.data.byteCount
      }
    }
    return total
  }

  /// Writes through `body` into a temporary file beside `path`, flushes it, and renames it over
  /// `path`. On any failure the temporary file is removed and `path` is untouched.
  static func atomicWrite(path: String, _ body: (Int32) -> Int32) throws {
    let temp = temporaryPath(for: path)
    let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw ONNXError(path: path, "cannot create \(temp): \(String(cString: strerror(errno)))")
    }
    var status = body(fd)
    if status == 0 && fsync(fd) != 0 { status = errno }
    if close(fd) != 0 && status == 0 { status = errno }
    if status == 0 && rename(temp, path) != 0 { status = errno }
    if status != 0 {
      unlink(temp)
      throw ONNXError(path: path, "write failed: \(String(cString: strerror(status)))")
    }
  }

  static func temporaryPath(for path: String) -> String {
    let dir = ONNXReader.directoryOf(path)
    let name = String(path.split(separator: "/").last ?? Substring(path))
    let random = UInt64.random(in: 0..<UInt64.max)
    return (dir == "." && !path.hasPrefix("./") ? "" : dir + "/") + ".\(name).tmp-\(getpid())-\(String(random, radix: 36))"
  }
}

/// Writes external tensor data into temporary files, renamed into place by `commit`.
final class ExternalDataWriter {
  let directory: String
  let path: String
  private var files: [String: (fd: Int32, temp: String)] = [:]
  private var order: [String] = []

  init(directory: String, path: String) {
    self.directory = directory
    self.path = path
  }

  deinit { abandon() }

  /// Writes `tensor`'s bytes at its recorded location and offset; returns its keys unchanged.
  func write(_ tensor: TensorProto) throws -> [StringPair] {
    let name = tensor.name ?? ""
    var location: String?
    var offset = 0
    for k in tensor.externalData {
      if k.key == "location" { location = k.value }
      if k.key == "offset", let v = k.value.flatMap({ Int($0) }), v >= 0 { offset = v }
    }
    guard let location else { throw DecodeError("tensor '\(name)': external data has no 'location' key") }
    let relative = try ExternalDataReader.validate(location: location, tensor: name)
    let file: (fd: Int32, temp: String)
    if let f = files[relative] {
      file = f
    } else {
      let target = directory + "/" + relative
      let temp = ONNXWriter.temporaryPath(for: target)
      let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw DecodeError("cannot create external data file \(temp): \(String(cString: strerror(errno)))")
      }
      file = (fd, temp)
      files[relative] = file
      order.append(relative)
    }
    let data = tensor.data
    var done = 0
    while done < data.byteCount {
      let n = pwrite(file.fd, data.buffer.pointer + done, min(data.byteCount - done, 1 << 30), off_t(offset + done))
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else {
        throw DecodeError("writing external data '\(location)' failed: \(String(cString: strerror(errno)))")
      }
      done += n
    }
    return tensor.externalData
  }

  /// Flushes and renames every data file into place.
  func commit() throws {
    for relative in order {
      guard let f = files[relative] else { continue }
      let ok = fsync(f.fd) == 0
      close(f.fd)
      files[relative] = nil
      guard ok, rename(f.temp, directory + "/" + relative) == 0 else {
        let err = String(cString: strerror(errno))
        unlink(f.temp)
        throw ONNXError(path: path, "cannot write external data '\(relative)': \(err)")
      }
    }
  }

  /// Removes temporary files after a failure.
  func abandon() {
    for (_, f) in files {
      close(f.fd)
      unlink(f.temp)
    }
    files = [:]
  }
}

extension TensorProto {
  /// Moves external data inline (as `raw_data`).
  mutating func makeInline() {
    guard encoding == .external else { return }
    encoding = .raw
    dataLocation = nil
    externalData = []
  }
}
