import Foundation
import Testing
import TuneIR
import TuneTensor

/// Runs ONNX backend node cases exported by a local script into `$MATH_BACKEND_CASES`
/// (one folder per case: case.json + raw tensors). Skipped when the variable is unset; the
/// conformance target runs the real suite.
@Test func backendNodeCasesForMathOps() throws {
  guard let dir = ProcessInfo.processInfo.environment["MATH_BACKEND_CASES"] else { return }
  let fm = FileManager.default
  var passed = 0
  var failures: [String] = []
  for name in try fm.contentsOfDirectory(atPath: dir).sorted() {
    let caseDir = dir + "/" + name
    guard let data = fm.contents(atPath: caseDir + "/case.json"),
      let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
      json["ok"] as? Bool == true
    else { continue }
    do {
      try runCase(json, caseDir)
      passed += 1
    } catch {
      failures.append("\(name): \(error)")
    }
  }
  print("math backend cases: \(passed) passed, \(failures.count) failed")
  for f in failures { print("  FAIL \(f)") }
}

private func loadTensor(_ meta: [String: Any], _ dir: String) throws -> Tensor {
  let dtype = DType(rawValue: Int32(meta["dtype"] as! Int))!
  let shape = meta["shape"] as! [Int]
  let bytes = FileManager.default.contents(atPath: dir + "/" + (meta["file"] as! String)) ?? Data()
  let t = Tensor(zeros: dtype, shape: shape)
  bytes.withUnsafeBytes { raw in
    if raw.count > 0 { t.buffer.pointer.copyMemory(from: raw.baseAddress!, byteCount: min(raw.count, t.byteCount)) }
  }
  return t
}

private func runCase(_ json: [String: Any], _ dir: String) throws {
  var attributes: [Attribute] = []
  for a in json["attributes"] as! [[String: Any]] {
    let name = a["name"] as! String
    switch a["type"] as! Int {
    case 1: attributes.append(.float(name, Float((a["value"] as! NSNumber).doubleValue)))
    case 2: attributes.append(.int(name, Int64((a["value"] as! NSNumber).int64Value)))
    case 3: attributes.append(.string(name, a["value"] as! String))
    case 6: attributes.append(.floats(name, (a["value"] as! [NSNumber]).map { $0.floatValue }))
    case 7: attributes.append(.ints(name, (a["value"] as! [NSNumber]).map { $0.int64Value }))
    default: throw OpError("attribute kind \(a["type"]!)")
    }
  }
  let inputs: [Tensor?] = try (json["inputs"] as! [Any]).map {
    guard let m = $0 as? [String: Any] else { return nil }
    return try loadTensor(m, dir)
  }
  let outputs = try runOp(
    json["op"] as! String, inputs, attributes: attributes, opset: json["opset"] as! Int)
  for (k, meta) in (json["outputs"] as! [[String: Any]]).enumerated() {
    let want = try loadTensor(meta, dir)
    guard k < outputs.count else { throw OpError("missing output \(k)") }
    let got = outputs[k]
    guard got.dtype == want.dtype, got.shape == want.shape else {
      throw OpError("output \(k): got \(got.dtype)\(got.shape), want \(want.dtype)\(want.shape)")
    }
    for i in 0..<want.count {
      let g = got.doubleValue(at: i)
      let w = want.doubleValue(at: i)
      if g.isNaN && w.isNaN { continue }
      if g == w { continue }
      if abs(g - w) > 1e-7 + 1e-3 * abs(w) {
        throw OpError("output \(k)[\(i)]: got \(g), want \(w)")
      }
    }
  }
}
