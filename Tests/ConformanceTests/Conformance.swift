import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// Running one ONNX backend test case, compared at ONNX's tolerances, directly and again after
/// write → read. Cases are named as in the backend data: `test_relu` for a `node` case,
/// `folder/test_x` for `simple`, `pytorch-converted` and `pytorch-operator` cases (a folder
/// holding `model.onnx` and `test_data_set_*/{input,output}_*.pb`), and `light/light_resnet50`
/// for the `light` models (`light_X.onnx` and `light_X_output_0.pb`; the input is
/// `arange(n).reshape(shape) / n` in float32, free dimensions 1, as ONNX's runner makes it).
enum Conformance {
  /// Backend data folders run besides `node`.
  static let otherFolders = ["simple", "pytorch-converted", "pytorch-operator", "light"]

  /// The backend `node` test folder: `$ONNX_TUNE_CACHE/onnx-1.22.0/onnx/backend/test/data/node`
  /// (default cache `<repo>/cache`), else the copy inside the venv's onnx package.
  static func nodeDirectory() throws -> URL {
    let cached = TestData.backendData.appendingPathComponent("node")
    if FileManager.default.fileExists(atPath: cached.path) { return cached }
    let venv = URL(fileURLWithPath: "/work/venv/lib/python3.11/site-packages/onnx/backend/test/data/node")
    if FileManager.default.fileExists(atPath: venv.path) { return venv }
    return try TestData.requireBackendData().appendingPathComponent("node")
  }

  /// The backend data folder (parent of `node`).
  static func dataDirectory() throws -> URL { try nodeDirectory().deletingLastPathComponent() }

  /// Every `node` case name, sorted.
  static func allCases() throws -> [String] {
    let dir = try nodeDirectory()
    return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter {
      FileManager.default.fileExists(atPath: dir.appendingPathComponent($0).appendingPathComponent("model.onnx").path)
    }.sorted()
  }

  /// Every case of the other folders, as `folder/name`, sorted.
  static func otherCases() throws -> [String] {
    let root = try dataDirectory()
    var out: [String] = []
    for folder in otherFolders {
      let dir = root.appendingPathComponent(folder)
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
      for n in names.sorted() {
        if folder == "light" {
          if n.hasSuffix(".onnx") { out.append("light/" + n.dropLast(5)) }
        } else if FileManager.default.fileExists(
          atPath: dir.appendingPathComponent(n).appendingPathComponent("model.onnx").path)
        {
          out.append("\(folder)/\(n)")
        }
      }
    }
    return out
  }

  static let caseNames: Set<String> = Set(((try? allCases()) ?? []) + ((try? otherCases()) ?? []))

  struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  /// The tolerance ONNX's runner uses for a light model (`real/test_X/data.json`), else 1e-3.
  static func lightTolerance(_ name: String) -> Double {
    let model = name.replacingOccurrences(of: "light/light_", with: "")
    guard let root = try? dataDirectory(),
      let data = FileManager.default.contents(
        atPath: root.appendingPathComponent("real/test_\(model)/data.json").path),
      let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let rtol = json["rtol"] as? Double
    else { return 1e-3 }
    return rtol
  }

  /// Runs case `name`; throws a `Failure` (or the runtime's error) describing the first problem.
  /// With `tiedLogits`, outputs whose reference is uniform (a Softmax over logits that tie
  /// exactly) are checked as what that reference says: the Softmax input ties to within 1e-6
  /// relative and the output is a distribution. (One ulp of difference between BLAS rows
  /// would otherwise turn a uniform Softmax over logits near 1e10 into a one-hot.)
  static func run(
    _ name: String, rtol: Double = 1e-3, atol: Double = 1e-7, roundTrip: Bool = true, tiedLogits: Bool = false
  ) throws {
    let root = try dataDirectory()
    let read: Model
    let directory: URL
    var dataSets: [(label: String, inputs: [Tensor], expected: [Tensor], runtimeOnly: Bool)] = []
    if name.hasPrefix("light/") {
      let base = root.appendingPathComponent(name)
      directory = base.deletingLastPathComponent()
      read = try ONNXReader.readModel(atPath: base.path + ".onnx")
      let inputs: [Tensor] = (read.graph?.runtimeInputs ?? []).map { v in
        let shape = (v.type?.tensorDims ?? []).map { d -> Int in
          if let x = d.fixedValue, x > 0 { return Int(x) }
          return 1
        }
        let n = Tensor.elementCount(shape)
        return Tensor((0..<n).map { Float(Double($0) / Double(n)) }, shape: shape)
      }
      var expected: [Tensor] = []
      for i in 0..<(read.graph?.outputs.count ?? 0) {
        let path = base.path + "_output_\(i).pb"
        guard FileManager.default.fileExists(atPath: path) else { break }
        expected.append(try ONNXReader.readTensor(atPath: path).data)
      }
      dataSets.append(("", inputs, expected, true))
    } else {
      directory = name.contains("/") ? root.appendingPathComponent(name) : root.appendingPathComponent("node/\(name)")
      read = try ONNXReader.readModel(atPath: directory.appendingPathComponent("model.onnx").path)
      let sets = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasPrefix("test_data_set_") }.sorted()
      guard !sets.isEmpty else { throw Failure("no test_data_set_* folder") }
      for set in sets {
        let setDir = directory.appendingPathComponent(set)
        dataSets.append(("\(set) ", try numbered("input", in: setDir), try numbered("output", in: setDir), false))
      }
    }
    var model = read
    var logitsOf: [Int: Int] = [:]  // output index → index of its Softmax input among the outputs
    if tiedLogits, var graph = model.graph {
      for (i, out) in graph.outputs.enumerated() {
        guard let node = graph.nodes.first(where: { $0.outputs.first == out.name }), node.opType == "Softmax" else {
          throw Failure("tagged ties, but output \(i) is not made by a Softmax")
        }
        logitsOf[i] = graph.outputs.count
        graph.outputs.append(ValueInfo(name: node.inputs[0]))
      }
      model.graph = graph
    }
    var variants = [("", model)]
    if roundTrip {
      let bytes = try ONNXWriter.serialize(model)
      let again = try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, directory: directory.path) }
      variants.append(("after write → read: ", again))
    }
    for (label, m) in variants {
      let session: InferenceSession
      do { session = try InferenceSession(model: m) } catch { throw Failure(label + "\(error)") }
      for (set, inputs, expected, runtimeOnly) in dataSets {
        let graphInputs = (runtimeOnly ? m.graph?.runtimeInputs : m.graph?.inputs) ?? []
        guard inputs.count <= graphInputs.count else {
          throw Failure("\(inputs.count) input files for \(graphInputs.count) graph inputs")
        }
        var feed: [String: Tensor] = [:]
        for (i, t) in inputs.enumerated() { feed[graphInputs[i].name ?? ""] = t }
        let outputs: [Tensor]
        do { outputs = try session.runOrdered(feed) } catch { throw Failure(label + "\(error)") }
        guard outputs.count >= expected.count else {
          throw Failure(label + "\(outputs.count) outputs, expected \(expected.count)")
        }
        for (i, e) in expected.enumerated() {
          if let k = logitsOf[i] {
            let reference = e.floatValues()
            guard let first = reference.first, reference.allSatisfy({ abs($0 - first) <= 1e-6 }) else {
              throw Failure("tagged ties, but the reference of output \(i) is not uniform")
            }
            let logits = outputs[k].floatValues().map(Double.init)
            let (lo, hi) = (logits.min() ?? 0, logits.max() ?? 0)
            guard hi - lo <= 1e-6 * max(abs(hi), 1) else {
              throw Failure(label + "\(set)output \(i): logits range over [\(lo), \(hi)], not tied")
            }
            let sum = outputs[i].floatValues().reduce(0.0) { $0 + Double($1) }
            guard abs(sum - Double(outputs[i].count) * Double(first)) <= 1e-3 else {
              throw Failure(label + "\(set)output \(i): sums to \(sum)")
            }
            continue
          }
          if let problem = compare(outputs[i], e, rtol: rtol, atol: atol) {
            throw Failure(label + "\(set)output \(i) '\(session.outputNames[i])': \(problem)")
          }
        }
      }
    }
  }

  /// `prefix_0.pb`, `prefix_1.pb`, ... in index order.
  static func numbered(_ prefix: String, in dir: URL) throws -> [Tensor] {
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).compactMap {
      name -> (Int, String)? in
      guard name.hasPrefix(prefix + "_"), name.hasSuffix(".pb"),
        let i = Int(name.dropFirst(prefix.count + 1).dropLast(3))
      else { return nil }
      return (i, name)
    }.sorted { $0.0 < $1.0 }
    return try files.map { try ONNXReader.readTensor(atPath: dir.appendingPathComponent($0.1).path).data }
  }

  /// nil when `got` matches `expected` (same dtype and shape; floats within
  /// `atol + rtol * |expected|`, NaN equal to NaN; everything else exactly), else what differs.
  static func compare(_ got: Tensor, _ expected: Tensor, rtol: Double, atol: Double) -> String? {
    guard got.dtype == expected.dtype, got.shape == expected.shape else {
      return "expected \(ExecutionError.describe(expected)), got \(ExecutionError.describe(got))"
    }
    if expected.dtype == .string {
      return got.strings == expected.strings ? nil : "string values differ"
    }
    // Types without a numeric loader (float8, 4-bit, 2-bit, complex) must match bit for bit.
    let numeric: Set<DType> = [
      .float, .double, .float16, .bfloat16, .int64, .int32, .int16, .int8, .uint64, .uint32, .uint16,
      .uint8, .bool,
    ]
    if let decode = float8Decoder(expected.dtype) {
      let a = got.buffer.pointer.assumingMemoryBound(to: UInt8.self)
      let b = expected.buffer.pointer.assumingMemoryBound(to: UInt8.self)
      for i in 0..<expected.count {
        let x = decode(a[i])
        let y = decode(b[i])
        if !((x.isNaN && y.isNaN) || x == y || abs(x - y) <= atol + rtol * abs(y)) {
          return "at index \(i) got \(x) (0x\(String(a[i], radix: 16))), expected \(y) (0x\(String(b[i], radix: 16)))"
        }
      }
      return nil
    }
    guard numeric.contains(expected.dtype) else {
      return got.isIdentical(to: expected) ? nil : "\(expected.dtype) values differ bit for bit"
    }
    let load = Tensor.loader(expected.dtype)
    let float = expected.dtype.isFloatingPoint
    var bad = 0
    var first: String?
    for i in 0..<expected.count {
      let a = load(got.buffer.pointer, i)
      let b = load(expected.buffer.pointer, i)
      let ok: Bool
      if float {
        ok = (a.isNaN && b.isNaN) || a == b || abs(a - b) <= atol + rtol * abs(b)
      } else {
        ok = a == b
      }
      if !ok {
        bad += 1
        if first == nil { first = "at index \(i) got \(a), expected \(b)" }
      }
    }
    return bad == 0 ? nil : "\(bad) of \(expected.count) values differ; first \(first!)"
  }

  /// Value of a float8 byte (NaN encodings differ between producers, so float8 outputs are
  /// compared as numbers, as NumPy does through ml_dtypes).
  static func float8Decoder(_ dtype: DType) -> ((UInt8) -> Double)? {
    func ieee(_ bits: UInt8, exponentBits: Int, bias: Int, finiteOnly: Bool, unsignedZeroNaN: Bool) -> Double {
      let mantissaBits = 7 - exponentBits
      let sign: Double = bits & 0x80 != 0 ? -1 : 1
      let e = Int((bits >> mantissaBits) & UInt8((1 << exponentBits) - 1))
      let m = Int(bits & UInt8((1 << mantissaBits) - 1))
      if unsignedZeroNaN && bits == 0x80 { return .nan }
      let maxE = (1 << exponentBits) - 1
      if !unsignedZeroNaN {
        if finiteOnly {
          if e == maxE && m == (1 << mantissaBits) - 1 { return .nan }
        } else if e == maxE {
          return m == 0 ? sign * .infinity : .nan
        }
      }
      if e == 0 { return sign * Double(m) / Double(1 << mantissaBits) * pow(2, Double(1 - bias)) }
      return sign * (1 + Double(m) / Double(1 << mantissaBits)) * pow(2, Double(e - bias))
    }
    switch dtype {
    case .float8e4m3fn: return { ieee($0, exponentBits: 4, bias: 7, finiteOnly: true, unsignedZeroNaN: false) }
    case .float8e4m3fnuz: return { ieee($0, exponentBits: 4, bias: 8, finiteOnly: true, unsignedZeroNaN: true) }
    case .float8e5m2: return { ieee($0, exponentBits: 5, bias: 15, finiteOnly: false, unsignedZeroNaN: false) }
    case .float8e5m2fnuz: return { ieee($0, exponentBits: 5, bias: 16, finiteOnly: true, unsignedZeroNaN: true) }
    case .float8e8m0: return { $0 == 0xFF ? .nan : pow(2, Double(Int($0) - 127)) }
    default: return nil
    }
  }

  /// The op a case tests: its only node's op type, else the node op type named in the case
  /// (longest match), else its first node's.
  static func primaryOp(of name: String) -> String {
    if name.hasSuffix("_expanded") {
      let base = String(name.dropLast("_expanded".count))
      if caseNames.contains(base) { return primaryOp(of: base) + " (expanded)" }
    }
    if name.hasPrefix("light/") { return "(model) " + name }
    let path: String
    if name.contains("/") {
      guard let root = try? dataDirectory() else { return "?" }
      path = root.appendingPathComponent(name).appendingPathComponent("model.onnx").path
    } else {
      guard let dir = try? nodeDirectory() else { return "?" }
      path = dir.appendingPathComponent(name).appendingPathComponent("model.onnx").path
    }
    guard let model = try? ONNXReader.readModel(atPath: path), let nodes = model.graph?.nodes,
      !nodes.isEmpty
    else { return "?" }
    let ops = Array(Set(nodes.compactMap(\.opType)))
    if ops.count == 1 { return ops[0] }
    let squashed = (name.split(separator: "/").last.map(String.init) ?? name).lowercased().replacingOccurrences(of: "_", with: "")
    if let best = ops.filter({ squashed.contains($0.lowercased()) }).max(by: { $0.count < $1.count }) {
      return best
    }
    return nodes[0].opType ?? "?"
  }
}

/// One line of `fixtures/conformance/manifest.txt`: a case name with optional tolerance tags
/// (`test_x rtol=1e-2 atol=1e-5  # why`). Lines starting with `#` are skipped cases
/// (`# test_y: reason`) or comments.
struct ManifestEntry: Sendable, CustomTestStringConvertible {
  var name: String
  var rtol = 1e-3
  var atol = 1e-7
  /// `ties`: see `Conformance.run(tiedLogits:)`.
  var tiedLogits = false
  var testDescription: String { name }

  static func load() -> [ManifestEntry] {
    let url = TestData.fixtures.appendingPathComponent("conformance/manifest.txt")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
    return parse(text)
  }

  static func parse(_ text: String) -> [ManifestEntry] {
    text.split(separator: "\n").compactMap { raw in
      let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .trimmingCharacters(in: .whitespaces)
      guard !line.isEmpty else { return nil }
      let words = line.split(separator: " ", omittingEmptySubsequences: true)
      var e = ManifestEntry(name: String(words[0]))
      for w in words.dropFirst() {
        if w == "ties" { e.tiedLogits = true }
        let kv = w.split(separator: "=")
        guard kv.count == 2, let v = Double(kv[1]) else { continue }
        if kv[0] == "rtol" { e.rtol = v }
        if kv[0] == "atol" { e.atol = v }
      }
      return e
    }
  }
}

