import TuneTensor

/// `Loop`: runs `body` while the trip count `M` is not reached and `cond` holds, carrying
/// N values from one iteration to the next and stacking K per-iteration scan outputs along a
/// new first axis.
///
/// The body takes `(iteration_num: int64[], cond: bool[], carried_1...carried_N)` and returns
/// `(cond, carried_1...carried_N, scan_1...scan_K)`. An omitted `M` means no trip limit; an
/// omitted `cond` means the body's condition output is ignored.
/// Spec: https://onnx.ai/onnx/operators/onnx__Loop.html
public struct Loop: Operator {
  public static let opType = "Loop"
  public let body: Graph

  public init(node: Node, opset: Int) throws {
    guard let b = try node.graph("body") else { throw OpError("missing attribute 'body'") }
    guard b.inputs.count >= 2, b.outputs.count >= 1, b.outputs.count >= b.inputs.count - 1 else {
      throw OpError(
        "body should take (iteration_num, cond, carried...) and return (cond, carried..., scan...), "
          + "got \(b.inputs.count) inputs and \(b.outputs.count) outputs")
    }
    body = b
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let n = body.inputs.count - 2
    let k = body.outputs.count - 1 - n
    let initial = Array(inputs.dropFirst(2))
    guard initial.count == n else {
      throw OpError("the body carries \(n) values, but the node gives \(initial.count) initial values")
    }
    var carried: [Tensor] = try initial.enumerated().map { i, v in
      guard let v else { throw OpError("initial value \(i) is omitted (optional values are not supported)") }
      return v
    }
    let tripLimit: Int64? = try (inputs.first ?? nil).map { m in
      guard m.count == 1 else { throw OpError("M should have one element, got shape \(m.shape)") }
      return m.int64Values()[0]
    }
    let condInput = inputs.count > 1 ? inputs[1] : nil
    var cond = try condInput?.conditionValue("cond") ?? true
    let names = body.inputs.map { $0.name ?? "" }
    var scans: [[Tensor]] = Array(repeating: [], count: k)
    var iteration: Int64 = 0
    while cond, tripLimit.map({ iteration < $0 }) ?? true {
      var bindings: [String: Tensor] = [
        names[0]: Tensor(scalar: iteration), names[1]: Tensor(scalar: cond),
      ]
      for (i, v) in carried.enumerated() { bindings[names[2 + i]] = v }
      let out = try context.run(subgraph: body, bindings, expecting: body.outputs.count)
      if condInput != nil { cond = try out[0].conditionValue("the body's condition output") }
      carried = Array(out[1..<(1 + n)])
      for j in 0..<k { scans[j].append(out[1 + n + j]) }
      iteration += 1
      if condInput == nil && tripLimit == nil && iteration == Int64.max { break }
    }
    var results = carried
    for j in 0..<k {
      results.append(
        scans[j].isEmpty
          ? emptyScanOutput(declared: body.outputs[1 + n + j]) : try Tensor.stack(scans[j], axis: 0))
    }
    return results
  }
}
