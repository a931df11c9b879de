import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// `finetune --cache-features` and the prefetching training loop, on the bundled demo.
@Suite struct FeatureCacheCommandTests {
  static let model = TestData.fixtures.appendingPathComponent("demo/pretrained_digits04.onnx").path
  static let train = TestData.fixtures.appendingPathComponent("demo/digits59/train").path

  /// Runs `finetune` on the demo (3 epochs, shuffled, 20% validation) writing `dir/name.onnx`.
  static func finetune(_ dir: URL, _ name: String, _ extra: [String], environment: [String: String] = [:]) throws -> (
    String, Model
  ) {
    let out = dir.appendingPathComponent(name + ".onnx").path
    var env = ProcessInfo.processInfo.environment
    env.merge(environment) { $1 }
    let r = try CLIRunner.run(
      ["finetune", model, "--data", train, "--epochs", "3", "--patience", "0", "--out", out] + extra, environment: env)
    #expect(r.status == 0, "\(r.stderr)")
    return (r.stdout, try ONNXReader.readModel(atPath: out))
  }

  static func cacheLine(_ stdout: String) -> String {
    stdout.split(separator: "\n").filter { $0.hasPrefix("feature cache: ") }.joined(separator: "\n")
  }

  /// Equal within 1e-5: the cached backbone runs in other batches than the uncached one, and
  /// OpenBLAS's rounding of a column depends on the width of the product (FeatureCacheTests).
  static func expectSameWeights(_ a: Model, _ b: Model, _ label: String) {
    for t in a.graph!.initializers {
      let other = b.graph!.initializer(named: t.name!)!.data
      let worst = zip(other.floatValues(), t.data.floatValues()).map { abs($0 - $1) }.max() ?? 0
      #expect(other.shape == t.data.shape && worst <= 1e-5, "\(label): \(t.name!) differs by \(worst)")
    }
  }

  /// History rows (timing columns left out) equal, numbers within 1e-5.
  static func expectSameHistory(_ a: [String], _ b: [String]) {
    #expect(a.count == b.count)
    for (x, y) in zip(a, b) {
      let (u, v) = (x.split(separator: ","), y.split(separator: ","))
      #expect(u.count == v.count, "\(x) / \(y)")
      for (p, q) in zip(u, v) {
        if let p = Double(p), let q = Double(q) { #expect(abs(p - q) <= 1e-5, "\(x) / \(y)") } else { #expect(p == q) }
      }
    }
  }

  @Test func cachedMemoryAndDiskTrainingGiveTheSameModelAsUncached() throws {
    let dir = try TestData.temporaryDirectory("cache-cli")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (offOut, off) = try Self.finetune(dir, "off", ["--cache-features", "off"])
    #expect(Self.cacheLine(offOut) == "feature cache: off (--cache-features off)")
    let (autoOut, auto) = try Self.finetune(dir, "auto", [])
    #expect(Self.cacheLine(autoOut).hasPrefix("feature cache: memory (200 samples of [1568] floats"))
    Self.expectSameWeights(off, auto, "auto")
    let (diskOut, disk) = try Self.finetune(dir, "disk", ["--cache-features", "disk"])
    #expect(Self.cacheLine(diskOut).contains("memory-mapped temporary file"))
    Self.expectSameWeights(off, disk, "disk")
    // Past the budget, auto goes to disk.
    let (smallOut, small) = try Self.finetune(dir, "small", ["--cache-budget", "100KiB"])
    #expect(Self.cacheLine(smallOut).hasPrefix("feature cache: disk"))
    Self.expectSameWeights(off, small, "small budget")
    let history = try String(contentsOfFile: dir.appendingPathComponent("auto.onnx.history.csv").path, encoding: .utf8)
    let reference = try String(contentsOfFile: dir.appendingPathComponent("off.onnx.history.csv").path, encoding: .utf8)
    func columns(_ csv: String) -> [String] {
      // Everything but the timing columns.
      csv.split(separator: "\n").map { line in
        line.split(separator: ",", omittingEmptySubsequences: false).enumerated()
          .filter { !["seconds", "examples_per_second"].contains(csv.split(separator: "\n")[0].split(separator: ",")[$0.offset]) }
          .map { String($0.element) }.joined(separator: ",")
      }
    }
    Self.expectSameHistory(columns(history), columns(reference))
  }

  @Test func refusalsSayWhy() throws {
    let dir = try TestData.temporaryDirectory("cache-refuse")
    defer { try? FileManager.default.removeItem(at: dir) }
    var (out, _) = try Self.finetune(dir, "aug", ["--augment", "--epochs", "1"])
    #expect(Self.cacheLine(out) == "feature cache: off (augmentation is on)")
    (out, _) = try Self.finetune(dir, "last", ["--freeze", "last:2", "--epochs", "1", "--cache-features", "memory"])
    #expect(Self.cacheLine(out).hasPrefix("feature cache: off (BatchNormalization '/features/features.5/BatchNormalization'"))
    (out, _) = try Self.finetune(dir, "bn", ["--freeze", "pattern:features.0.*;features.4.*;classifier.*", "--epochs", "1"])
    #expect(Self.cacheLine(out).hasPrefix("feature cache: off (BatchNormalization '/features/features.1/BatchNormalization'"))
    (out, _) = try Self.finetune(dir, "scratch", ["--from-scratch", "--epochs", "1"])
    #expect(Self.cacheLine(out).hasPrefix("feature cache: off ("))
    let r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--out", "/tmp/x.onnx", "--cache-features", "ram"])
    #expect(r.status == 2 && r.stderr.contains("auto, memory, disk or off"))
  }

  @Test func configRecordsTheCacheSetting() throws {
    let dir = try TestData.temporaryDirectory("cache-config")
    defer { try? FileManager.default.removeItem(at: dir) }
    let (_, a) = try Self.finetune(dir, "a", ["--cache-features", "disk", "--cache-budget", "1GiB"])
    let config = dir.appendingPathComponent("a.onnx.config.json").path
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: config))) as? [String: Any])
    #expect(doc["cache_features"] as? String == "disk")
    #expect(doc["cache_budget"] as? String == "1GiB")
    let b = dir.appendingPathComponent("b.onnx").path
    let r = try CLIRunner.run(["finetune", "--config", config, "--out", b])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(Self.cacheLine(r.stdout).hasPrefix("feature cache: disk"))
    Self.expectSameWeights(a, try ONNXReader.readModel(atPath: b), "config")
  }

  @Test func resumingWithTheCacheEqualsAnUninterruptedRunWithout() throws {
    let dir = try TestData.temporaryDirectory("cache-resume")
    defer { try? FileManager.default.removeItem(at: dir) }
    let ckpt = dir.appendingPathComponent("ckpt").path
    _ = try Self.finetune(dir, "first", ["--epochs", "2", "--checkpoint-dir", ckpt])
    let (out, resumed) = try Self.finetune(dir, "resumed", ["--epochs", "4", "--checkpoint-dir", ckpt, "--resume"])
    #expect(Self.cacheLine(out).hasPrefix("feature cache: memory"))
    let (_, reference) = try Self.finetune(dir, "reference", ["--epochs", "4", "--cache-features", "off"])
    Self.expectSameWeights(reference, resumed, "resumed")
  }

  @Test func prefetchedTrainingEqualsSynchronousTraining() throws {
    let dir = try TestData.temporaryDirectory("prefetch")
    defer { try? FileManager.default.removeItem(at: dir) }
    // Augmentation on: decoding and augmenting overlap training; same draws, same weights.
    let (_, sync) = try Self.finetune(dir, "sync", ["--augment"], environment: ["ONNX_TUNE_PREFETCH": "0"])
    let (_, prefetched) = try Self.finetune(dir, "prefetched", ["--augment"])
    Self.expectSameWeights(sync, prefetched, "augmented")
    let (_, syncPlain) = try Self.finetune(
      dir, "sync-plain", ["--cache-features", "off", "--unfreeze-last", "2", "--fine-tune-epochs", "1"],
      environment: ["ONNX_TUNE_PREFETCH": "0"])
    let (_, plain) = try Self.finetune(dir, "plain", ["--cache-features", "off", "--unfreeze-last", "2", "--fine-tune-epochs", "1"])
    Self.expectSameWeights(syncPlain, plain, "two phases")
  }
}
