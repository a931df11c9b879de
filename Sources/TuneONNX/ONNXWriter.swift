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
    try checkDestination(path)
    // A data file is never renamed over a file that exists: the model being replaced (or
    // another one) may read it. A location that is taken gets a fresh name instead.
    let previous = externalLocations(ofModelAt: path)
    var renamed: [String: String] = [:]
    var assigned = Set<String>()
    model.transformTensors { t in
      guard t.encoding == .external, let k = t.externalData.firstIndex(where: { $0.key == "location" }),
        let location = t.externalData[k].value
      else { return }
      if renamed[location] == nil {
        let fresh = freshLocation(location, directory: directory, taken: assigned)
        renamed[location] = fresh
        assigned.insert(fresh)
      }
      t.externalData[k].value = renamed[location]
    }
    let files = ExternalDataWriter(directory: directory, path: path)
    do {
      let arena = CArena()
      let ctx = EncodeContext(arena: arena, external: { try files.write($0) })
      let m = try makeModel(model, ctx)
      // Crash safety with external data: the data files go into place first, under names
      // nothing uses yet, then the model is renamed over the old one (the single switch
      // from old to new), then the old model's data files are removed. A kill at any point
      // leaves the old model with its old data or the new one with its new data; at worst a
      // complete but unused data file.
      try files.commit()
      try atomicWrite(path: path, phase: "model") { fd in
        onnx_tune_pack_model_to_fd(m, fd)
      }
    } catch {
      files.abandon()
      if let e = error as? ONNXError { throw e }
      if let e = error as? DecodeError { throw ONNXError(path: path, e.message) }
      throw error
    }
    // Only data files of this writer's own naming for this model are removed: a file named
    // otherwise may be shared with another model.
    for old in previous.subtracting(assigned) where old == fileName + ".data" || old.hasPrefix(fileName + ".data.") {
      guard !old.contains("/"), (try? ExternalDataReader.validate(location: old, tensor: "")) != nil else { continue }
      unlink(directory + "/" + old)
    }
    FaultInjection.reach("old-data-removed")
    removeStaleTemporaries(in: directory, for: [fileName] + assigned.map { String($0.split(separator: "/").last!) })
  }

  /// Fails early, naming the path, when `path` cannot be written: its folder is missing or not
  /// a folder, or `path` is a folder.
  static func checkDestination(_ path: String) throws {
    let directory = ONNXReader.directoryOf(path)
    var st = stat()
    if stat(directory, &st) != 0 {
      throw ONNXError(path: path, "cannot write: folder '\(directory)' \(errno == ENOENT ? "does not exist" : String(cString: strerror(errno)))")
    }
    guard (st.st_mode & S_IFMT) == S_IFDIR else {
      throw ONNXError(path: path, "cannot write: '\(directory)' is not a folder")
    }
    if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
      throw ONNXError(path: path, "cannot write: it is a folder")
    }
  }

  /// `location` if no file of that name exists beside the model (and none is `taken`), else
  /// the first free `location.1`, `location.2`, ... (a trailing `.N` of `location` replaced).
  static func freshLocation(_ location: String, directory: String, taken: Set<String>) -> String {
    func free(_ name: String) -> Bool {
      var st = stat()
      return !taken.contains(name) && lstat(directory + "/" + name, &st) != 0 && errno == ENOENT
    }
    if free(location) { return location }
    var base = Substring(location)
    if let dot = base.lastIndex(of: "."), !base[base.index(after: dot)...].isEmpty,
      base[base.index(after: dot)...].allSatisfy(\.isNumber)
    {
      base = base[..<dot]
    }
    if free(String(base)) { return String(base) }
    var n = 1
    while !free("\(base).\(n)") { n += 1 }
    return "\(base).\(n)"
  }

  /// The external data locations the model at `path` refers to (its graph's initializers),
  /// best effort: empty when there is no readable model there.
  static func externalLocations(ofModelAt path: String) -> Set<String> {
    var st = stat()
    guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, st.st_size > 0 else { return [] }
    guard
      let found = try? ONNXReader.withMappedFile(path, { bytes -> Set<String> in
        let m = try ONNXReader.unpackModel(bytes: bytes, path: path)
        defer { onnx__model_proto__free_unpacked(m, nil) }
        var locations = Set<String>()
        guard let g = m.pointee.graph else { return [] }
        for i in 0..<g.pointee.n_initializer {
          guard let t = g.pointee.initializer[i] else { continue }
          for j in 0..<t.pointee.n_external_data {
            guard let e = t.pointee.external_data[j], let k = e.pointee.key, let v = e.pointee.value,
              String(cString: k) == "location"
            else { continue }
            locations.insert(String(cString: v))
          }
        }
        return locations
      })
    else { return [] }
    return found
  }

  /// Removes temporary files a killed writer left beside `names` in `directory`
  /// (`.<name>.tmp-<pid>-<random>` of a process that no longer runs).
  static func removeStaleTemporaries(in directory: String, for names: [String]) {
    guard let dir = opendir(directory) else { return }
    defer { closedir(dir) }
    let prefixes = names.map { ".\($0).tmp-" }
    var stale: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
      guard let prefix = prefixes.first(where: { name.hasPrefix($0) }) else { continue }
      let rest = name.dropFirst(prefix.count)
      guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]) else { continue }
      if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH { stale.append(name) }
    }
    for name in stale { unlink(directory + "/" + name) }
  }

  /// Writes `bytes` to `path` atomically (temporary file beside it, flushed, renamed over it),
  /// then removes temporaries that a killed writer of the same file left behind. For the
  /// reports and histories written beside a model.
  public static func write(bytes: [UInt8], toPath path: String) throws {
    try checkDestination(path)
    try atomicWrite(path: path, phase: "file") { fd in
      bytes.withUnsafeBufferPointer { onnx_tune_write_all(fd, $0.baseAddress, $0.count) }
    }
    let name = String(path.split(separator: "/").last ?? Substring(path))
    removeStaleTemporaries(in: ONNXReader.directoryOf(path), for: [name])
  }

  /// Writes one tensor as a `TensorProto` file (inline data).
  public static func write(_ tensor: TensorProto, toPath path: String) throws {
    var tensor = tensor
    tensor.makeInline()
    let arena = CArena()
    let m = try makeTensor(tensor, arena, external: nil)
    try checkDestination(path)
    try atomicWrite(path: path, phase: "tensor") { fd in onnx_tune_pack_tensor_to_fd(m, fd) }
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

  /// Writes through `body` into a temporary file beside `path`, flushes it, renames it over
  /// `path` and flushes the folder. On any failure the temporary file is removed and `path` is
  /// untouched. `phase` names the fault-injection points (`<phase>-create`, `-write`, `-fsync`,
  /// `-renamed`, then `dir-fsync`, or `file-dir-fsync` for `phase` "file").
  static func atomicWrite(path: String, phase: String = "model", _ body: (Int32) -> Int32) throws {
    let temp = temporaryPath(for: path)
    var fd: Int32 = -1
    if case let injected = FaultInjection.reach(phase + "-create"), injected != 0 {
      errno = injected
    } else {
      fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    }
    guard fd >= 0 else {
      throw ONNXError(path: path, "cannot create a file in '\(ONNXReader.directoryOf(path))': \(String(cString: strerror(errno)))")
    }
    var status = body(fd)
    if status == 0 {
      var st = stat()
      if fstat(fd, &st) == 0 { FaultInjection.wrote(fd: fd, size: Int(st.st_size)) }
      status = FaultInjection.reach(phase + "-write")
    }
    if status == 0 && fsync(fd) != 0 { status = errno }
    if close(fd) != 0 && status == 0 { status = errno }
    if status == 0 { status = FaultInjection.reach(phase + "-fsync") }
    if status == 0 && rename(temp, path) != 0 { status = errno }
    if status != 0 {
      unlink(temp)
      throw ONNXError(path: path, "write failed, the file is left as it was: \(String(cString: strerror(status)))")
    }
    FaultInjection.reach(phase + "-renamed")
    syncDirectory(ONNXReader.directoryOf(path))
    // (A report's own name: the checkpoint tests count model writes by their `dir-fsync`.)
    FaultInjection.reach(phase == "file" ? "file-dir-fsync" : "dir-fsync")
  }

  /// Flushes a folder's entries (a rename is durable only once its folder is).
  static func syncDirectory(_ directory: String) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return }
    fsync(fd)
    close(fd)
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
  private var committed: [String] = []

  init(directory: String, path: String) {
    self.directory = directory
    self.path = path
  }

  deinit {
    for (_, f) in files {
      close(f.fd)
      unlink(f.temp)
    }
  }

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
      var fd: Int32 = -1
      if case let injected = FaultInjection.reach("data-create"), injected != 0 {
        errno = injected
      } else {
        fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      }
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

  /// Flushes and renames every data file into place (under names no file had: see
  /// `ONNXWriter.freshLocation`), then flushes the folder.
  func commit() throws {
    for relative in order {
      guard let f = files[relative] else { continue }
      var st = stat()
      if fstat(f.fd, &st) == 0 { FaultInjection.wrote(fd: f.fd, size: Int(st.st_size)) }
      var status = FaultInjection.reach("data-write")
      if status == 0 && fsync(f.fd) != 0 { status = errno }
      close(f.fd)
      files[relative] = nil
      if status == 0 { status = FaultInjection.reach("data-fsync") }
      let target = directory + "/" + relative
      if status == 0 && rename(f.temp, target) != 0 { status = errno }
      guard status == 0 else {
        unlink(f.temp)
        throw ONNXError(path: path, "cannot write external data '\(relative)', the model is left as it was: \(String(cString: strerror(status)))")
      }
      committed.append(target)
      FaultInjection.reach("data-renamed")
    }
    if !committed.isEmpty { ONNXWriter.syncDirectory(directory) }
  }

  /// Removes temporary files, and data files already renamed into place, after a failure
  /// (the model that would have used them was not written).
  func abandon() {
    for (_, f) in files {
      close(f.fd)
      unlink(f.temp)
    }
    files = [:]
    for target in committed { unlink(target) }
    committed = []
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
