import Foundation
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor

/// `onnx-tune run`: runs a model on inputs from files or on a seeded random batch, writes the
/// outputs as `.npy`, prints top-k classes and latency.
enum RunCommand: CLICommand {
  static let name = "run"
  static let summary = "Run a model on .npy / .pb inputs or a random batch"
  static let help = """
    Usage: onnx-tune run MODEL [--input NAME=FILE]... [--random] [--batch N] [--output-dir DIR]
                         [--top-k K] [--repeat N] [--warmup N] [--threads N] [--seed S]
                         [--profile] [--profile-nodes N] [--no-optimize]

    Runs MODEL (an .onnx file) in inference mode and reports its outputs.

    Arguments:
      MODEL              the .onnx model to run

    Options:
      --input NAME=FILE  binds input NAME to FILE: a NumPy .npy file or an ONNX TensorProto .pb
                         file (the backend test format). Repeatable. 'FILE' alone binds the
                         model's only input.
      --random           fills every input not given with --input with seeded random values
                         (floats uniform in [0, 1), integers 0, bools false) shaped as declared
      --batch N          batch size (first dimension) of random inputs whose first dimension
                         is symbolic (default 1)
      --seed S           seed of the random inputs (default 0)
      --output-dir DIR   writes each output to DIR/<output name>.npy (created if needed)
      --top-k K          prints the K best classes of each row of a classifier output
                         ([batch, classes] floats); default 5, 0 to turn off
      --repeat N         runs N times and prints the latency min / median / max
      --warmup N         runs N times more first, untimed (default 0)
      --threads N        number of compute threads (OpenBLAS included)
      --profile          prints the time spent per op type, summed over the runs, and the
                         slowest nodes (mean and fastest time per run)
      --profile-nodes N  how many of the slowest nodes --profile lists (default 10)
      --no-optimize      runs the graph exactly as written; by default BatchNormalization is
                         folded into the Conv/Gemm before it (outputs change by float rounding
                         only), Conv is fused with the Add and Relu/Clip/LeakyRelu after it,
                         MobileNet-style blocks on small planes run with the batch folded into
                         their rows, and a 1x1 Conv with the depthwise Conv reading its output
      -h, --help         shows this help
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let inputSpecs = try arguments.options("--input")
    let random = arguments.flag("--random")
    let batch = try arguments.intOption("--batch", in: 1...1_000_000)
    let seed = try arguments.intOption("--seed", in: 0...Int.max) ?? 0
    let outputDir = try arguments.option("--output-dir")
    let topK = try arguments.intOption("--top-k", in: 0...1_000_000) ?? 5
    let repeatCount = try arguments.intOption("--repeat", in: 1...1_000_000)
    let warmup = try arguments.intOption("--warmup", in: 0...1_000_000) ?? 0
    let threads = try arguments.intOption("--threads", in: 1...4096)
    let profileNodes = try arguments.intOption("--profile-nodes", in: 0...1_000_000)
    let profile = arguments.flag("--profile") || profileNodes != nil
    let optimize = !arguments.flag("--no-optimize")
    let modelPath = try arguments.positionals(["MODEL"])[0]
    if batch != nil && !random {
      throw CLIError(message: "run: --batch applies to --random inputs; add --random", usage: true)
    }

    if let threads { ComputeThreads.set(threads) }
    let model = try ONNXReader.readModel(atPath: modelPath)
    let session: InferenceSession
    do {
      session = try InferenceSession(model: model, optimize: optimize)
    } catch {
      throw CLIError(message: "run: \(modelPath): \(error)")
    }

    // Inputs.
    var inputs: [String: Tensor] = [:]
    for spec in inputSpecs {
      let name: String
      let file: String
      if let eq = spec.firstIndex(of: "="), session.inputs.contains(where: { $0.name == spec[..<eq] })
        || !FileManager.default.fileExists(atPath: spec)
      {
        name = String(spec[..<eq])
        file = String(spec[spec.index(after: eq)...])
      } else {
        guard session.inputs.count == 1 else {
          throw CLIError(
            message: "run: --input \(spec): the model has \(session.inputs.count) inputs; write --input NAME=FILE",
            usage: true)
        }
        name = session.inputs[0].name
        file = spec
      }
      guard session.inputs.contains(where: { $0.name == name }) || session.plan.overridableInputs[name] != nil else {
        let known = session.inputs.map(\.name).joined(separator: ", ")
        throw CLIError(message: "run: the model has no input '\(name)' (its inputs: \(known))", usage: true)
      }
      inputs[name] = try readTensor(file)
    }
    var generator = SeededRandom(seed: UInt64(seed))
    for (name, type) in session.inputs where inputs[name] == nil {
      guard random else {
        let missing = session.inputs.filter { inputs[$0.name] == nil }
          .map { "\($0.name) (\(describe($0.type)))" }.joined(separator: ", ")
        throw CLIError(
          message: "run: no value for input\(missing.contains(", ") ? "s" : "") \(missing); give --input NAME=FILE or --random",
          usage: true)
      }
      inputs[name] = try randomTensor(name: name, type: type, batch: batch ?? 1, generator: &generator)
    }

    // Run.
    let runs = repeatCount ?? 1
    var times: [Double] = []
    var outputs: [String: Tensor] = [:]
    let clock = ContinuousClock()
    session.profiling = profile
    var opTimes: [String: OpTime] = [:]
    var nodeTimes: [String: OpTime] = [:]
    var nodeMinimum: [String: Double] = [:]
    for _ in 0..<warmup { _ = try session.run(inputs) }
    for _ in 0..<runs {
      let start = clock.now
      outputs = try session.run(inputs)
      let d = clock.now - start
      times.append(Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15)
      for (op, t) in session.lastRunStatistics.opTimes {
        opTimes[op, default: OpTime()].calls += t.calls
        opTimes[op, default: OpTime()].seconds += t.seconds
      }
      for (node, t) in session.lastRunStatistics.nodeTimes {
        nodeTimes[node, default: OpTime()].calls += t.calls
        nodeTimes[node, default: OpTime()].seconds += t.seconds
        nodeMinimum[node] = min(nodeMinimum[node] ?? .infinity, t.seconds)
      }
    }

    for name in session.inputs.map(\.name) {
      print("input  \(name): \(ExecutionError.describe(inputs[name]))")
    }
    for name in session.outputNames {
      guard let t = outputs[name] else { continue }
      print("output \(name): \(ExecutionError.describe(t))\(summary(t))")
    }
    if let first = session.outputNames.first, let t = outputs[first], topK > 0 {
      printTopK(t, k: topK)
    }
    if let outputDir {
      try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
      for name in session.outputNames {
        guard let t = outputs[name] else { continue }
        let path = (outputDir as NSString).appendingPathComponent(fileName(for: name) + ".npy")
        do { try NPY.write(t, toPath: path) } catch { throw CLIError(message: "run: \(error)") }
        print("wrote \(path)")
      }
    }
    if profile {
      let total = opTimes.values.reduce(0) { $0 + $1.seconds }
      print("time per op type over \(runs) run\(runs == 1 ? "" : "s")\(session.optimizations.isEmpty ? "" : " (optimized graph)"):")
      print("  " + "op type".padding(toLength: 26, withPad: " ", startingAt: 0) + "   calls   ms/run      %")
      for (op, t) in opTimes.sorted(by: { $0.value.seconds > $1.value.seconds }) {
        let name = op.count >= 26 ? op : op.padding(toLength: 26, withPad: " ", startingAt: 0)
        print(
          "  " + name
            + String(
              format: " %7d %8.3f %6.1f", t.calls / runs, t.seconds * 1e3 / Double(runs),
              total > 0 ? 100 * t.seconds / total : 0))
      }
      let slowest = nodeTimes.sorted { $0.value.seconds > $1.value.seconds }.prefix(profileNodes ?? 10)
      if !slowest.isEmpty {
        print("slowest \(slowest.count) node\(slowest.count == 1 ? "" : "s"):")
        print("   ms/run      %   min ms  node")
        for (node, t) in slowest {
          print(
            String(
              format: " %8.3f %6.1f %8.3f  ", t.seconds * 1e3 / Double(runs), total > 0 ? 100 * t.seconds / total : 0,
              (nodeMinimum[node] ?? 0) * 1e3) + node)
        }
      }
    }
    if repeatCount != nil {
      let sorted = times.sorted()
      let median =
        sorted.count % 2 == 1
        ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
      print(
        String(
          format: "latency over %d runs: min %.3f ms, median %.3f ms, max %.3f ms", runs, sorted.first!,
          median, sorted.last!))
    }
    return 0
  }

  /// Reads a `.npy` or TensorProto `.pb` file.
  static func readTensor(_ path: String) throws -> Tensor {
    let lower = path.lowercased()
    do {
      if lower.hasSuffix(".npy") { return try NPY.read(atPath: path) }
      if lower.hasSuffix(".pb") { return try ONNXReader.readTensor(atPath: path).data }
    } catch {
      throw CLIError(message: "run: \(error)")
    }
    throw CLIError(message: "run: \(path): expected a .npy or TensorProto .pb file", usage: true)
  }

  /// A seeded random tensor shaped as `type` declares, the first symbolic dimension set to `batch`.
  static func randomTensor(
    name: String, type: TypeProto?, batch: Int, generator: inout SeededRandom
  ) throws -> Tensor {
    guard let dtype = type?.tensorElementType, let dims = type?.tensorDims else {
      throw CLIError(message: "run: input '\(name)' has no declared tensor type and shape; give it with --input")
    }
    var shape: [Int] = []
    for (i, d) in dims.enumerated() {
      if let v = d.fixedValue, v >= 0 {
        shape.append(Int(v))
      } else if i == 0 {
        shape.append(batch)
      } else {
        throw CLIError(
          message: "run: input '\(name)' (\(describe(type))) has a free dimension \(i) ('\(d)'); give it with --input")
      }
    }
    guard let count = Tensor.checkedElementCount(shape.map(Int64.init), limit: 1 << 31) else {
      throw CLIError(message: "run: input '\(name)' shape \(shape) is too large (over 2^31 elements)")
    }
    if let why = TensorLimits.violation(dtype, shape: shape) {
      throw CLIError(message: "run: input '\(name)': \(why)")
    }
    switch dtype {
    case .float:
      return Tensor((0..<count).map { _ in generator.nextFloat() }, shape: shape)
    case .double, .float16, .bfloat16:
      return Tensor((0..<count).map { _ in generator.nextFloat() }, shape: shape).converted(to: dtype)
    case .string:
      throw CLIError(message: "run: input '\(name)' is a string tensor; give it with --input")
    default:
      guard dtype.elementSize > 0 else {
        throw CLIError(message: "run: input '\(name)' is \(dtype); give it with --input")
      }
      return Tensor(zeros: dtype, shape: shape)
    }
  }

  static func describe(_ type: TypeProto?) -> String {
    guard let type, let e = type.tensorElementType else { return "?" }
    let dims = type.tensorDims.map { "[" + $0.map(\.description).joined(separator: ",") + "]" } ?? "[?]"
    return "\(e)\(dims)"
  }

  /// A short value summary for numeric outputs.
  static func summary(_ t: Tensor) -> String {
    guard t.dtype != .string, t.dtype.elementSize > 0, t.count > 0 else { return "" }
    let v = t.floatValues()
    var lo = Float.infinity
    var hi = -Float.infinity
    var sum = 0.0
    for x in v {
      lo = min(lo, x)
      hi = max(hi, x)
      sum += Double(x)
    }
    return String(format: "  min %.6g, max %.6g, mean %.6g", lo, hi, sum / Double(v.count))
  }

  /// Prints the top `k` classes of each row of a `[batch, classes]` float output.
  static func printTopK(_ t: Tensor, k: Int) {
    guard t.dtype.isFloatingPoint, t.rank == 2, t.shape[1] > 1 else { return }
    let v = t.floatValues()
    let classes = t.shape[1]
    let k = min(k, classes)
    for row in 0..<t.shape[0] {
      let scores = v[(row * classes)..<((row + 1) * classes)]
      let best = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        .prefix(k)
      let text = best.map { String(format: "%d (%.4g)", $0 - row * classes, scores[$0]) }
      print("top-\(k) row \(row): " + text.joined(separator: ", "))
    }
  }

  /// An output name made safe as a file name: every character other than an ASCII letter or
  /// digit, `.`, `_` or `-` becomes `_` (so `logits/out` is written as `logits_out.npy`).
  static func fileName(for name: String) -> String {
    if name.isEmpty { return "output" }
    return String(
      name.unicodeScalars.map { c -> Character in
        c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "._-".unicodeScalars.contains(c))
          ? Character(c) : "_"
      })
  }
}
