import TuneTensor

/// `Scan`: iterates `body` over slices of the scan inputs along their scan axes, carrying
/// state variables and stacking per-iteration scan outputs.
///
/// Opset 9 and later: inputs are `(state_1...state_N, scan_input_1...scan_input_M)` with
/// `M = num_scan_inputs`; the body takes `(state..., slice...)` and returns
/// `(state..., scan_output_element...)`. `scan_input_directions` / `scan_output_directions` of 1
/// scan backward / prepend; `scan_input_axes` / `scan_output_axes` choose the axes.
/// Opset 8: a leading optional `sequence_lens` input, every state and scan input has a batch
/// axis first (scan inputs scan axis 1), and `directions` gives the scan input directions; only
/// full-length sequences are supported.
/// Spec: https://onnx.ai/onnx/operators/onnx__Scan.html
public struct Scan: Operator {
  public static let opType = "Scan"
  public let body: Graph
  public let numScanInputs: Int
  public let inputAxes: [Int]?
  public let inputDirections: [Int]?
  public let outputAxes: [Int]?
  public let outputDirections: [Int]?
  /// Opset 8 form: batched, with a `sequence_lens` input.
  public let batched: Bool

  public init(node: Node, opset: Int) throws {
    guard let b = try node.graph("body") else { throw OpError("missing attribute 'body'") }
    body = b
    guard let m = try node.intIfPresent("num_scan_inputs"), m > 0 else {
      throw OpError("attribute 'num_scan_inputs' should be a positive int")
    }
    numScanInputs = m
    batched = opset < 9
    if batched {
      inputAxes = nil
      inputDirections = try node.ints("directions")
      outputAxes = nil
      outputDirections = nil
    } else {
      inputAxes = try node.ints("scan_input_axes")
      inputDirections = try node.ints("scan_input_directions")
      outputAxes = try node.ints("scan_output_axes")
      outputDirections = try node.ints("scan_output_directions")
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard batched else { return try scan(inputs, context: context) }
    // Opset 8: run the opset-9 scan on each batch entry and stack the results.
    let sequenceLengths = (inputs.first ?? nil)?.int64Values()
    let rest = Array(inputs.dropFirst())
    let values: [Tensor] = try rest.enumerated().map { i, v in
      guard let v else { throw OpError("input \(i + 1) is omitted") }
      guard v.rank >= 1 else { throw OpError("input \(i + 1) has no batch axis") }
      return v
    }
    guard let batch = values.first?.shape[0] else { throw OpError("no states or scan inputs") }
    for v in values where v.shape[0] != batch {
      throw OpError("inputs have different batch sizes: \(batch) and \(v.shape[0])")
    }
    let n = values.count - numScanInputs
    if let sequenceLengths, n < values.count, values[n].rank >= 2 {
      let full = Int64(values[n].shape[1])
      guard sequenceLengths.allSatisfy({ $0 == full }) else {
        throw OpError("sequence_lens shorter than the scan length (\(sequenceLengths) < \(full)) is not supported")
      }
    }
    var perBatch: [[Tensor]] = []
    for b in 0..<batch {
      perBatch.append(try scan(values.map { try $0.slice(at: b, alongAxis: 0) }, context: context))
    }
    guard let count = perBatch.first?.count else {
      throw OpError("a batch of 0 is not supported")
    }
    return try (0..<count).map { j in try Tensor.stack(perBatch.map { $0[j] }, axis: 0) }
  }

  /// The opset-9 scan.
  func scan(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let values: [Tensor] = try inputs.enumerated().map { i, v in
      guard let v else { throw OpError("input \(i) is omitted") }
      return v
    }
    let n = values.count - numScanInputs
    guard n >= 0 else {
      throw OpError("num_scan_inputs is \(numScanInputs) but the node has \(values.count) inputs")
    }
    guard body.inputs.count == values.count else {
      throw OpError("the body takes \(body.inputs.count) inputs, the node gives \(values.count)")
    }
    let k = body.outputs.count - n
    guard k >= 0 else { throw OpError("the body returns fewer outputs than there are states") }

    let scanInputs = Array(values[n...])
    var axes: [Int] = []
    var length: Int?
    for (j, t) in scanInputs.enumerated() {
      var axis = inputAxes.flatMap { j < $0.count ? $0[j] : nil } ?? 0
      if axis < 0 { axis += t.rank }
      guard axis >= 0, axis < t.rank else {
        throw OpError("scan axis \(axis) is out of range for a rank-\(t.rank) scan input")
      }
      if let length, length != t.shape[axis] {
        throw OpError("scan inputs have different lengths: \(length) and \(t.shape[axis])")
      }
      length = t.shape[axis]
      axes.append(axis)
    }
    let steps = length ?? 0
    let names = body.inputs.map { $0.name ?? "" }
    var states = Array(values[..<n])
    var scans: [[Tensor]] = Array(repeating: [], count: k)
    for step in 0..<steps {
      var bindings: [String: Tensor] = [:]
      for (i, s) in states.enumerated() { bindings[names[i]] = s }
      for (j, t) in scanInputs.enumerated() {
        let reverse = (inputDirections.flatMap { j < $0.count ? $0[j] : nil } ?? 0) == 1
        bindings[names[n + j]] = try t.slice(at: reverse ? steps - 1 - step : step, alongAxis: axes[j])
      }
      let out = try context.run(subgraph: body, bindings, expecting: body.outputs.count)
      states = Array(out[..<n])
      for j in 0..<k { scans[j].append(out[n + j]) }
    }
    var results = states
    for j in 0..<k {
      let prepend = (outputDirections.flatMap { j < $0.count ? $0[j] : nil } ?? 0) == 1
      var axis = outputAxes.flatMap { j < $0.count ? $0[j] : nil } ?? 0
      guard let first = scans[j].first else {
        results.append(emptyScanOutput(declared: body.outputs[n + j], axis: max(axis, 0)))
        continue
      }
      if axis < 0 { axis += first.rank + 1 }
      results.append(try Tensor.stack(prepend ? scans[j].reversed() : scans[j], axis: axis))
    }
    return results
  }
}
