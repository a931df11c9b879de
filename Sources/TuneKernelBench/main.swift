// Per-op throughput against the BLAS limit: for every Conv (and Gemm) node of a model, times the
// op's own `forward` (the code the executor runs, built from the node through OperatorRegistry)
// on random inputs of the inferred shapes, and `cblas_sgemm` on the op's whole GEMM shape
// (M = C_out/group, N = batch·H_out·W_out, K = C_in/group·kH·kW, `group` calls), with the same
// thread count. With --backward it also times Conv's gradient (dX and dW, 2x the forward's
// FLOPs) against the same sgemm rate. scripts/bench.sh runs it for BENCHMARKS.md.
// With --fused it instead times each `FusedPointwiseDepthwise` node of the optimized model
// (InferenceSession's rewrites) against its two convolutions run one after the other.
//
//   tune-kernel-bench MODEL [--batch N] [--threads N] [--repeat N] [--min-time S] [--backward] [--json] [--fused]
//
// Prints a TSV table (header first) or one JSON object per row; times are the best of --repeat
// runs (more until --min-time seconds, default 0.1, have passed per op) after a warm-up, in ms
// (the minimum is the least noisy figure on a shared machine; the op, sgemm and the gradient
// take turns within each round).
import CBLAS
import CKernels
import Foundation
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor

struct Options {
  var model = ""
  var batch = 32
  var threads = 1
  var repeats = 5
  var minSeconds = 0.1
  var backward = false
  var json = false
  var fused = false
}

func usage(_ message: String) -> Never {
  FileHandle.standardError.write(
    "tune-kernel-bench: \(message)\nusage: tune-kernel-bench MODEL [--batch N] [--threads N] [--repeat N] [--min-time S] [--backward] [--json] [--fused]\n"
      .data(using: .utf8)!)
  exit(2)
}

func parseOptions() -> Options {
  var options = Options()
  var args = Array(CommandLine.arguments.dropFirst())
  while !args.isEmpty {
    let a = args.removeFirst()
    func value() -> Int {
      guard !args.isEmpty, let v = Int(args.removeFirst()), v > 0 else {
        usage("\(a) needs a positive integer")
      }
      return v
    }
    switch a {
    case "--batch": options.batch = value()
    case "--threads": options.threads = value()
    case "--repeat": options.repeats = value()
    case "--min-time":
      guard !args.isEmpty, let v = Double(args.removeFirst()), v >= 0 else {
        usage("--min-time needs seconds")
      }
      options.minSeconds = v
    case "--backward": options.backward = true
    case "--json": options.json = true
    case "--fused": options.fused = true
    case "-h", "--help": usage("help")
    default:
      if a.hasPrefix("-") || !options.model.isEmpty { usage("unexpected argument \(a)") }
      options.model = a
    }
  }
  if options.model.isEmpty { usage("MODEL is required") }
  return options
}

let options = parseOptions()
ComputeThreads.set(options.threads)
// A/B switch for the depthwise kernels: ONNX_TUNE_DEPTHWISE=plane keeps the plane-by-plane one.
if ProcessInfo.processInfo.environment["ONNX_TUNE_DEPTHWISE"] == "plane" {
  ConvKernel.useBlockedDepthwise = false
  ConvKernel.useDirectDepthwise = false
}
// ONNX_TUNE_DEPTHWISE=swift keeps depthwise 3x3 convolutions on the Swift kernels (blocked and plane).
if ProcessInfo.processInfo.environment["ONNX_TUNE_DEPTHWISE"] == "swift" { ConvKernel.useDirectDepthwise = false }
// ONNX_TUNE_POINTWISE=gemm keeps 1x1 convolutions on im2col + sgemm.
if ProcessInfo.processInfo.environment["ONNX_TUNE_POINTWISE"] == "gemm" { ConvKernel.usePointwiseKernel = false }
// ONNX_TUNE_WINDOWED=gemm keeps the other convolutions on im2col + sgemm too.
if ProcessInfo.processInfo.environment["ONNX_TUNE_WINDOWED"] == "gemm" { ConvKernel.useWindowedKernel = false }
// ONNX_TUNE_STRIP_GROUP=N: at most N strips share a pass over the weights in the C kernels.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_STRIP_GROUP"].flatMap(Int32.init) { otk_set_strip_group_limit(n) }
// ONNX_TUNE_POINTWISE_PLANES=N: the pointwise kernel takes planes of fewer than N positions.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_POINTWISE_PLANES"].flatMap(Int.init) { ConvKernel.pointwisePlaneLimit = n }
// ONNX_TUNE_IMAGE_COLUMNS=off keeps small-plane convolutions on the windowed kernel; =N sets the largest plane.
if let v = ProcessInfo.processInfo.environment["ONNX_TUNE_IMAGE_COLUMNS"] {
  if v == "off" { ConvKernel.useImageColumns = false } else if let n = Int(v) { ConvKernel.imageColumnsMaxPlane = n }
}
// ONNX_TUNE_DIRECT_ROWS=off: the windowed kernel gathers every strip (no bordered copy).
if ProcessInfo.processInfo.environment["ONNX_TUNE_DIRECT_ROWS"] == "off" { ConvKernel.useDirectRows = false }
// ONNX_TUNE_BLOCKED_BELOW=N: stride-1 depthwise convolutions with output rows under N wide go to the blocked kernel.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_BLOCKED_BELOW"].flatMap(Int.init) { ConvKernel.blockedDepthwiseBelowWidth = n }
// ONNX_TUNE_PACK_FROM=N: the C kernels pack the weights from N strips of 16 columns on.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_PACK_FROM"].flatMap(Int.init) { ConvKernel.packWeightsFromStrips = n }
// ONNX_TUNE_IN_PLACE=off: the pointwise kernel copies every strip into a panel.
if ProcessInfo.processInfo.environment["ONNX_TUNE_IN_PLACE"] == "off" { otk_set_rows_in_place(0) }
// ONNX_TUNE_FUSED_FROM=N: FusedPointwiseDepthwise runs fused from N expanded floats per image on (0: always).
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_FUSED_FROM"].flatMap(Int.init) { ConvKernel.pointwiseDepthwiseFromFloats = n }
// ONNX_TUNE_FUSED_SLICE=N: FusedPointwiseDepthwise computes at most N floats of the expanded tensor at a time.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_FUSED_SLICE"].flatMap(Int.init) { ConvKernel.pointwiseDepthwiseSliceFloats = n }
// ONNX_TUNE_PREFETCH=off: no prefetching of the next strips' rows in the pointwise kernel.
if ProcessInfo.processInfo.environment["ONNX_TUNE_PREFETCH"] == "off" { otk_set_prefetch_rows(0) }
// ONNX_TUNE_IN_PLACE_MAX_K=N: the pointwise kernel reads rows in place only up to K = N.
if let n = ProcessInfo.processInfo.environment["ONNX_TUNE_IN_PLACE_MAX_K"].flatMap(Int32.init) { otk_set_in_place_max_k(n) }
AllocatorTuning.keepFreedMemory()

func printLine(_ line: String) {
  FileHandle.standardOutput.write((line + "\n").data(using: .utf8)!)
}

/// Best wall time in ms of each body over at least `repeats` rounds (more, up to 1,000, until
/// `minSeconds` have passed) after one warm-up each; the bodies take turns within a round, so
/// that load from other processes hits them alike.
func bestMs(_ repeats: Int, minSeconds: Double, _ bodies: [() throws -> Void]) throws -> [Double] {
  for body in bodies { try body() }
  var best = [Double](repeating: .infinity, count: bodies.count)
  let start = DispatchTime.now().uptimeNanoseconds
  var rounds = 0
  while rounds < repeats
    || (rounds < 1000 && Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 < minSeconds)
  {
    rounds += 1
    for (i, body) in bodies.enumerated() {
      let start = DispatchTime.now().uptimeNanoseconds
      try body()
      best[i] = min(best[i], Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
  }
  return best
}

func randomTensor(_ shape: [Int], _ rng: inout SeededRandom) -> Tensor {
  Tensor((0..<Tensor.elementCount(shape)).map { _ in rng.nextFloat() - 0.5 }, shape: shape)
}

/// `group` row-major sgemm calls C[M,N] = A[M,K]·B[K,N]: the op's GEMM shape.
final class SgemmCase {
  let m: Int, n: Int, k: Int, group: Int
  let a: [Float], b: [Float]
  var c: [Float]
  init(m: Int, n: Int, k: Int, group: Int, _ rng: inout SeededRandom) {
    (self.m, self.n, self.k, self.group) = (m, n, k, group)
    a = (0..<(m * k * group)).map { _ in rng.nextFloat() }
    b = (0..<(k * n * group)).map { _ in rng.nextFloat() }
    c = [Float](repeating: 0, count: m * n * group)
  }
  /// OpenBLAS itself, on the benchmark's thread count (the library's limit on this shape).
  func run() {
    let (m, n, k) = (m, n, k)
    openblas_set_num_threads(Int32(options.threads))
    defer { openblas_set_num_threads(1) }
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          for g in 0..<group {
            cblas_sgemm(
              CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
              ap.baseAddress! + g * m * k, Int32(k), bp.baseAddress! + g * k * n, Int32(n), 0,
              cp.baseAddress! + g * m * n, Int32(n))
          }
        }
      }
    }
  }
}

func main() throws {
  var rng = SeededRandom(seed: 7)
  let model = try ONNXReader.readModel(atPath: options.model)
  guard let graph = model.graph else { usage("\(options.model) has no graph") }
  let opset = model.opsetVersion() ?? 13
  let shapes = ShapeInference(model)
  let modelName = ((options.model as NSString).lastPathComponent as NSString).deletingPathExtension

  /// The inferred shape of `name` with symbolic dims (the batch axis) set to --batch.
  func concreteShape(_ name: String) -> [Int]? {
    if let t = graph.initializer(named: name) { return t.data.shape }
    guard let dims = shapes[name]?.dims else { return nil }
    var out: [Int] = []
    for d in dims {
      switch d {
      case .value(let v): out.append(Int(v))
      case .symbol: out.append(options.batch)
      case .unknown: return nil
      }
    }
    return out
  }

  let columns = [
    "model", "node", "op", "pass", "input", "weight", "output", "group", "M", "N", "K", "gflop",
    "ours_ms", "sgemm_ms", "ours_gflops", "sgemm_gflops", "ratio",
  ]
  if !options.json && !options.fused { printLine(columns.joined(separator: "\t")) }

  func emit(_ values: [String: Any]) {
    if options.json {
      let data = try! JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
      printLine(String(decoding: data, as: UTF8.self))
    } else {
      printLine(columns.map { "\(values[$0] ?? "")" }.joined(separator: "\t"))
    }
  }

  func fmt(_ v: Double, _ digits: Int = 3) -> String { String(format: "%.\(digits)f", v) }

  let context = ExecutionContext(training: false)
  if options.fused {
    try benchFused(model, concreteShape, context, &rng)
    return
  }
  var index = 0
  for node in graph.nodes where node.opType == "Conv" || node.opType == "Gemm" {
    index += 1
    let opType = node.opType!
    let name = node.name ?? "\(opType)_\(index)"
    guard let type = OperatorResolver.standard.lookup(opType: opType, domain: node.domain ?? "")
    else {
      FileHandle.standardError.write("tune-kernel-bench: no op for \(opType)\n".data(using: .utf8)!)
      continue
    }
    let op = try type.init(node: node, opset: opset)
    var inputs: [Tensor?] = []
    var inputShapes: [[Int]] = []
    var known = true
    for input in node.inputs {
      if input.isEmpty {
        inputs.append(nil)
        continue
      }
      guard let shape = concreteShape(input) else {
        known = false
        break
      }
      inputShapes.append(shape)
      inputs.append(graph.initializer(named: input)?.data ?? randomTensor(shape, &rng))
    }
    guard known, inputShapes.count >= 2 else {
      FileHandle.standardError.write(
        "tune-kernel-bench: \(name): input shapes unknown, skipped\n".data(using: .utf8)!)
      continue
    }
    let outputs = try op.forward(inputs, context: context)
    let y = outputs[0].shape
    let x = inputShapes[0]
    let w = inputShapes[1]
    var m: Int
    var n: Int
    var k: Int
    var group: Int
    if opType == "Conv" {
      group = (op as? Conv)?.group ?? 1
      m = w[0] / group
      n = y[0] * y.dropFirst(2).reduce(1, *)
      k = w.dropFirst().reduce(1, *)
    } else {
      // Gemm's own product: Y[M, N] = A'[M, K] · B'[K, N].
      let gemm = op as? Gemm
      group = 1
      m = y[0]
      n = y[1]
      k = (gemm?.transA ?? false) ? x[0] : x[1]
    }
    let flop = 2.0 * Double(m) * Double(n) * Double(k) * Double(group)
    let sgemm = SgemmCase(m: m, n: n, k: k, group: group, &rng)
    var bodies: [() throws -> Void] = [
      { _ = try op.forward(inputs, context: context) }, { sgemm.run() },
    ]
    if options.backward, opType == "Conv", let diff = op as? any DifferentiableOperator {
      // dX and dW (and dB when there is a bias): twice the forward's multiply-adds.
      let dy = randomTensor(y, &rng)
      let needed = inputs.enumerated().map { $0.element != nil && $0.offset < 3 }
      bodies.append {
        _ = try diff.backward(
          inputs: inputs, outputs: outputs, saved: [], outputGradients: [dy], needed: needed,
          context: context)
      }
    }
    let times = try bestMs(options.repeats, minSeconds: options.minSeconds, bodies)
    let (ours, blas) = (times[0], times[1])
    var row: [String: Any] = [
      "model": modelName, "node": name, "op": opType, "pass": "forward",
      "input": x.map(String.init).joined(separator: "x"),
      "weight": w.map(String.init).joined(separator: "x"),
      "output": y.map(String.init).joined(separator: "x"), "group": group, "M": m, "N": n, "K": k,
      "gflop": fmt(flop / 1e9, 4), "ours_ms": fmt(ours), "sgemm_ms": fmt(blas),
      "ours_gflops": fmt(flop / ours / 1e6, 1), "sgemm_gflops": fmt(flop / blas / 1e6, 1),
      "ratio": fmt(blas / ours, 2),
    ]
    emit(row)
    if times.count > 2 {
      let back = times[2]
      row["pass"] = "backward"
      row["gflop"] = fmt(2 * flop / 1e9, 4)
      row["ours_ms"] = fmt(back)
      row["sgemm_ms"] = fmt(2 * blas)
      row["ours_gflops"] = fmt(2 * flop / back / 1e6, 1)
      row["ratio"] = fmt(2 * blas / back, 2)
      emit(row)
    }
  }
}

/// Times each `FusedPointwiseDepthwise` node of `model`'s optimized graph against the two
/// `FusedConv`s it replaced; `shape` gives the original graph's value shapes.
func benchFused(
  _ model: Model, _ shape: (String) -> [Int]?, _ context: ExecutionContext, _ rng: inout SeededRandom
) throws {
  let session = try InferenceSession(model: model, optimize: true)
  let graph = session.model.graph!
  printLine(["node", "input", "expanded", "output", "fused_ms", "unfused_ms", "ratio"].joined(separator: "\t"))
  for node in graph.nodes where node.opType == FusedPointwiseDepthwise.opType {
    let name = node.name ?? "?"
    guard let x = shape(node.inputs[0]) else {
      FileHandle.standardError.write("tune-kernel-bench: \(name): input shape unknown, skipped\n".data(using: .utf8)!)
      continue
    }
    let fused = try FusedPointwiseDepthwise(node: node, opset: 1)
    let weight = { (i: Int) -> Tensor? in node.inputs[i].isEmpty ? nil : graph.initializer(named: node.inputs[i])?.data }
    let input = randomTensor(x, &rng)
    let inputs: [Tensor?] = [input, weight(1), weight(2), weight(3), weight(4)]
    // The two convolutions as FusedConv nodes: the 1x1 with the pointwise activation, the
    // depthwise with the node's own attributes.
    var first = node
    first.attributes = node.attributes.compactMap { a in
      guard let n = a.name, n.hasPrefix("pointwise_") else { return nil }
      var b = a
      b.name = String(n.dropFirst("pointwise_".count))
      return b
    }
    var second = node
    second.attributes = node.attributes.filter { !($0.name ?? "").hasPrefix("pointwise_") }
    let conv1 = try FusedConv(node: first, opset: 1)
    let conv2 = try FusedConv(node: second, opset: 1)
    let expanded = try conv1.forward([input, weight(1), weight(2)], context: context)[0]
    let y = try fused.forward(inputs, context: context)[0]
    let times = try bestMs(
      options.repeats, minSeconds: options.minSeconds,
      [
        { _ = try fused.forward(inputs, context: context) },
        {
          let e = try conv1.forward([input, weight(1), weight(2)], context: context)[0]
          _ = try conv2.forward([e, weight(3), weight(4)], context: context)
        },
      ])
    func dims(_ s: [Int]) -> String { s.map(String.init).joined(separator: "x") }
    printLine(
      [
        name, dims(x), dims(expanded.shape), dims(y.shape), String(format: "%.3f", times[0]),
        String(format: "%.3f", times[1]), String(format: "%.2f", times[0] / times[1]),
      ].joined(separator: "\t"))
  }
}

do {
  try main()
} catch {
  FileHandle.standardError.write("tune-kernel-bench: \(error)\n".data(using: .utf8)!)
  exit(1)
}
