import Foundation
import Testing
import TuneIR
import TuneTensor

/// Developer harness: runs ONNX backend node cases dumped by `scripts/dev/dump_backend_cases.py`
/// into the directory named by `NNOPS_CASES` (skipped when unset). The conformance target is
/// the real gate; this gives op authors a quick loop before it exists.
@Test(.enabled(if: ProcessInfo.processInfo.environment["NNOPS_CASES"] != nil))
func neuralBackendCases() throws {
  let root = ProcessInfo.processInfo.environment["NNOPS_CASES"]!
  let filter = ProcessInfo.processInfo.environment["NNOPS_FILTER"]
  let names = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
  var passed = 0
  var failures: [String] = []
  for name in names where filter.map({ name.contains($0) }) ?? true {
    let dir = root + "/" + name
    let json = try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: dir + "/case.json"))) as! [String: Any]
    func load(_ entry: Any) throws -> Tensor? {
      guard let e = entry as? [String: Any] else { return nil }
      let dtype = DType(rawValue: Int32(e["dtype"] as! Int))!
      let shape = e["shape"] as! [Int]
      let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + (e["file"] as! String)))
      let t = Tensor(uninitialized: dtype, shape: shape)
      data.withUnsafeBytes { src in
        if src.count > 0 { t.buffer.pointer.copyMemory(from: src.baseAddress!, byteCount: src.count) }
      }
      return t
    }
    var attributes: [Attribute] = []
    for (key, value) in json["attrs"] as! [String: [String: Any]] {
      let type = value["type"] as! Int
      switch type {
      case 1: attributes.append(.float(key, Float(value["value"] as! Double)))
      case 2: attributes.append(.int(key, Int64(value["value"] as! Int)))
      case 3: attributes.append(.string(key, value["value"] as! String))
      case 6: attributes.append(.floats(key, (value["value"] as! [Double]).map { Float($0) }))
      case 7: attributes.append(.ints(key, (value["value"] as! [Int]).map { Int64($0) }))
      case 8:
        var a = Attribute(name: key)
        a.type = 8
        a.strings = (value["value"] as! [String]).map { Array($0.utf8) }
        attributes.append(a)
      default: continue
      }
    }
    let inputs = try (json["inputs"] as! [Any]).map { try load($0) }
    let expected = try (json["outputs"] as! [Any]).map { try load($0) }
    do {
      let outs = try runOp(json["op"] as! String, opset: json["opset"] as! Int, attributes: attributes, outputs: expected.count, inputs)
      var ok = true
      var why = ""
      for (i, e) in expected.enumerated() {
        guard let e else { continue }
        guard i < outs.count else { ok = false; why = "missing output \(i)"; break }
        let a = outs[i]
        if a.shape != e.shape { ok = false; why = "output \(i) shape \(a.shape) vs \(e.shape)"; break }
        if a.dtype != e.dtype { ok = false; why = "output \(i) dtype \(a.dtype) vs \(e.dtype)"; break }
        let av = a.converted(to: .double)
        let ev = e.converted(to: .double)
        let x = av.elements(as: Double.self)
        let y = ev.elements(as: Double.self)
        for j in 0..<x.count where x[j] != y[j] && !(abs(x[j] - y[j]) <= 1e-7 + 1e-3 * abs(y[j])) && !(x[j].isNaN && y[j].isNaN) {
          ok = false
          why = "output \(i) element \(j): \(x[j]) vs \(y[j])"
          break
        }
        if !ok { break }
      }
      if ok { passed += 1 } else { failures.append("\(name): \(why)") }
    } catch {
      failures.append("\(name): threw \(error)")
    }
  }
  print("NNOPS backend cases: \(passed) passed, \(failures.count) failed")
  for f in failures { print("  FAIL \(f)") }
}
