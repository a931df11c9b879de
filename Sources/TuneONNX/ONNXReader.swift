import COnnxProto
import TuneIR
import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// Reads ONNX models (`ModelProto`) and single tensors (`TensorProto` `.pb` files) into the IR.
///
/// Untrusted input is expected: the file is first walked on the wire, without allocating, to
/// check that it is well formed and nested at most `maximumNestingDepth` messages deep (protobuf-c
/// recurses without a limit of its own); only then is it unpacked. Tensor dims are checked
/// against their data before anything is sized by them, and external data is read only from
/// inside the model's folder. The graph must have no cycle and no value produced twice
/// (`GraphValidation`).
///
/// ```swift
/// let model = try ONNXReader.readModel(atPath: "resnet18.onnx")
/// print(model.graph?.nodes.count ?? 0)
/// ```
public enum ONNXReader {
  /// Deepest nesting of protobuf messages accepted (a subgraph costs three levels:
  /// node → attribute → graph; a nested type two).
  public static let maximumNestingDepth = 200

  /// Options for reading a model.
  public struct Options: Sendable {
    /// Reject any tensor larger than this many bytes.
    public var maxTensorBytes = Int.max
    public init() {}
  }

  /// Reads the model at `path`; external data is resolved relative to its folder.
  public static func readModel(atPath path: String, options: Options = Options()) throws -> Model {
    // The mapping is released as soon as protobuf-c has its copy, before conversion to the IR,
    // so that the file and the weights are not both held for long.
    let m = try withMappedFile(path) { bytes in try unpackModel(bytes: bytes, path: path) }
    defer { onnx__model_proto__free_unpacked(m, nil) }
    return try convertModel(m, path: path, directory: directoryOf(path), options: options)
  }

  /// Reads a model from memory. `directory` is where external data would be looked for.
  public static func readModel(
    bytes: UnsafeRawBufferPointer, path: String = "<memory>", directory: String? = nil,
    options: Options = Options()
  ) throws -> Model {
    try decodeModel(bytes: bytes, path: path, directory: directory, options: options)
  }

  /// Reads a single `TensorProto` (the ONNX backend test data format).
  public static func readTensor(atPath path: String) throws -> TensorProto {
    try withMappedFile(path) { bytes in
      try check(bytes, kind: ONNX_TUNE_TENSOR, path: path)
      guard let m = onnx__tensor_proto__unpack(nil, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
      else { throw ONNXError(path: path, "not a TensorProto (protobuf-c could not unpack it)") }
      defer { onnx__tensor_proto__free_unpacked(m, nil) }
      let ctx = DecodeContext(path: path, external: ExternalDataReader(directory: directoryOf(path)), maxTensorBytes: Int.max)
      do { return try decodeTensor(m, ctx) } catch let e as DecodeError { throw ONNXError(path: path, e.message) }
    }
  }

  // MARK: - Internals

  static func decodeModel(
    bytes: UnsafeRawBufferPointer, path: String, directory: String?, options: Options
  ) throws -> Model {
    let m = try unpackModel(bytes: bytes, path: path)
    defer { onnx__model_proto__free_unpacked(m, nil) }
    return try convertModel(m, path: path, directory: directory, options: options)
  }

  static func unpackModel(bytes: UnsafeRawBufferPointer, path: String) throws -> UnsafeMutablePointer<Onnx__ModelProto> {
    try check(bytes, kind: ONNX_TUNE_MODEL, path: path)
    guard let m = onnx__model_proto__unpack(nil, bytes.count, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self))
    else { throw ONNXError(path: path, "not an ONNX model (protobuf-c could not unpack it)") }
    return m
  }

  static func convertModel(
    _ m: UnsafeMutablePointer<Onnx__ModelProto>, path: String, directory: String?, options: Options
  ) throws -> Model {
    if m.pointee.graph == nil {
      throw ONNXError(path: path, "not an ONNX model: it parses as protobuf but has no graph")
    }
    if m.pointee.n_opset_import == 0 && (!has(m.pointee.has_ir_version) || m.pointee.ir_version >= 3) {
      throw ONNXError(path: path, "not a complete ONNX model: it has no opset_import (truncated?)")
    }
    let external = ExternalDataReader(directory: directory ?? ".")
    let ctx = DecodeContext(path: path, external: external, maxTensorBytes: options.maxTensorBytes)
    let model: Model
    do {
      model = try TuneONNX.decodeModel(m, ctx)
    } catch let e as DecodeError {
      throw ONNXError(path: path, e.message)
    }
    // No command may walk a graph with a cycle or a value produced twice.
    if let graph = model.graph {
      do { try GraphValidation.validate(graph) } catch let e as GraphError {
        throw ONNXError(path: path, "invalid graph: \(e.message)")
      }
    }
    return model
  }

  static func check(_ bytes: UnsafeRawBufferPointer, kind: OnnxTuneMessageKind, path: String) throws {
    var offset = 0
    var field: UInt32 = 0
    let status = onnx_tune_check_wire(
      bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count, kind, UInt32(maximumNestingDepth),
      &offset, &field)
    let what = kind == ONNX_TUNE_MODEL ? "an ONNX model" : "a TensorProto"
    let at = "at byte \(offset)" + (field > 0 ? " (field \(field))" : "")
    switch status {
    case ONNX_TUNE_WIRE_OK: return
    case ONNX_TUNE_WIRE_TRUNCATED:
      throw ONNXError(path: path, "truncated or corrupt: a field \(at) runs past the end of its message; not \(what)")
    case ONNX_TUNE_WIRE_TOO_DEEP:
      throw ONNXError(path: path, "messages nested deeper than the limit of \(maximumNestingDepth) \(at)")
    case ONNX_TUNE_WIRE_WRONG_TYPE:
      throw ONNXError(path: path, "not \(what): field \(field) \(at) has the wrong wire type")
    default:
      throw ONNXError(path: path, "not \(what): malformed protobuf \(at)")
    }
  }

  /// The folder holding `path` ("." for a bare file name).
  static func directoryOf(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    let dir = String(path[..<slash])
    return dir.isEmpty ? "/" : dir
  }

  /// Memory-maps `path` read-only for the duration of `body`.
  static func withMappedFile<R>(_ path: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
    // O_NONBLOCK so that a FIFO given as the model gives "not a regular file" instead of hanging.
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else { throw ONNXError(path: path, "cannot open: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw ONNXError(path: path, "cannot stat: \(String(cString: strerror(errno)))") }
    guard (st.st_mode & S_IFMT) == S_IFREG else { throw ONNXError(path: path, "not a regular file") }
    let size = Int(st.st_size)
    if size == 0 { throw ONNXError(path: path, "empty file, not an ONNX model") }
    if size > Int(Int32.max) {
      throw ONNXError(
        path: path,
        "\(size) bytes is over protobuf's 2 GiB limit; keep the weights in external data (onnx-tune convert --external-data)")
    }
    guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
      throw ONNXError(path: path, "cannot map: \(String(cString: strerror(errno)))")
    }
    defer { munmap(base, size) }
    return try body(UnsafeRawBufferPointer(start: base, count: size))
  }
}
