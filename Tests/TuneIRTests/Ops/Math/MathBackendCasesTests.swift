import Foundation
import Testing
@testable import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Every single-node ONNX backend case (onnx 1.22.0, `node/`) whose op is in the Math family,
/// run op by op at ONNX's tolerances (rtol 1e-3, atol 1e-7). Needs the cache that
/// `scripts/fetch-test-data.sh` fills (or `ONNX_TUNE_CACHE`).
@Test func mathBackendNodeCases() throws {
  let root = try TestData.requireBackendData().appendingPathComponent("node")
  let mathOps = Set(OperatorRegistry.mathOperators.map { $0.opType })
  var passed = 0
  for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
    let dir = root.appendingPathComponent(name)
    guard let model = try? ONNXReader.readModel(atPath: dir.appendingPathComponent("model.onnx").path),
      let graph = model.graph, graph.nodes.count == 1, let node = graph.nodes.first,
      let opType = node.opType, mathOps.contains(opType), (node.domain ?? "").isEmpty
    else { continue }
    do {
      try runBackendCase(node, opset: model.opsetVersion() ?? 1, dir.appendingPathComponent("test_data_set_0"))
      passed += 1
    } catch {
      Issue.record("\(name): \(error)")
    }
  }
  #expect(passed >= 600, "only \(passed) math backend cases passed")
}

private func runBackendCase(_ node: Node, opset: Int, _ data: URL) throws {
  guard let type = OperatorRegistry.lookup(opType: node.opType ?? "", domain: "") else {
    throw OpError("not registered")
  }
  let op = try type.init(node: node, opset: opset)
  var next = 0
  let inputs: [Tensor?] = try node.inputs.map { input in
    if input.isEmpty { return nil }
    defer { next += 1 }
    return try ONNXReader.readTensor(atPath: data.appendingPathComponent("input_\(next).pb").path).data
  }
  let outputs = try op.forward(inputs, context: ExecutionContext())
  for (k, got) in outputs.enumerated() {
    let path = data.appendingPathComponent("output_\(k).pb").path
    guard FileManager.default.fileExists(atPath: path) else { break }
    let want = try ONNXReader.readTensor(atPath: path).data
    guard got.dtype == want.dtype, got.shape == want.shape else {
      throw OpError("output \(k): got \(got.dtype) \(got.shape), want \(want.dtype) \(want.shape)")
    }
    if want.dtype == .string {
      guard got.strings == want.strings else { throw OpError("output \(k): strings differ") }
      continue
    }
    let (g, w) =
      Elementwise.isSmallType(want.dtype)
      ? (Elementwise.decodeSmall(got), Elementwise.decodeSmall(want)) : (got, want)
    for i in 0..<w.count {
      let a = g.doubleValue(at: i)
      let b = w.doubleValue(at: i)
      if a == b || (a.isNaN && b.isNaN) { continue }
      if !(abs(a - b) <= 1e-7 + 1e-3 * abs(b)) {
        throw OpError("output \(k)[\(i)]: got \(a), want \(b)")
      }
    }
  }
}
