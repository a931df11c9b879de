import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// Reader and writer are mirrors: for every model of the ONNX backend test data,
/// read → write → read gives an IR equal to the first in every field, and writing again gives
/// identical bytes. (`onnx.checker` acceptance of the written files is checked by
/// `Tests/python/check_checker_roundtrip.py` in the venv.)
@Suite struct RoundTripTests {
  static let folders = ["node", "simple", "light", "pytorch-converted", "pytorch-operator"]

  @Test func backendModelsRoundTrip() throws {
    let models = try TestData.backendModels(in: Self.folders)
    #expect(models.count > 1700, "expected the full backend suite, found \(models.count) models")
    let dir = try TestData.temporaryDirectory("roundtrip")
    defer { try? FileManager.default.removeItem(at: dir) }
    var failures: [String] = []
    for url in models {
      let label = url.deletingLastPathComponent().pathComponents.suffix(2).joined(separator: "/")
      do {
        let first = try ONNXReader.readModel(atPath: url.path)
        let out1 = dir.appendingPathComponent("a.onnx").path
        let out2 = dir.appendingPathComponent("b.onnx").path
        try ONNXWriter.write(first, toPath: out1)
        let second = try ONNXReader.readModel(atPath: out1)
        if second != first {
          failures.append("\(label): IR differs after read → write → read")
          continue
        }
        try ONNXWriter.write(second, toPath: out2)
        let bytes1 = try Data(contentsOf: URL(fileURLWithPath: out1))
        let bytes2 = try Data(contentsOf: URL(fileURLWithPath: out2))
        if bytes1 != bytes2 { failures.append("\(label): second write is not byte-identical") }
      } catch {
        failures.append("\(label): \(error)")
      }
    }
    print("round trip: \(models.count - failures.count) of \(models.count) backend models IR-equal and byte-stable")
    for f in failures.prefix(30) { print("  FAIL \(f)") }
    #expect(failures.isEmpty, "\(failures.count) models failed the round trip; first: \(failures.first ?? "")")
  }
}
