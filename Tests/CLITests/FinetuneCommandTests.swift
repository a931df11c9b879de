import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// `onnx-tune finetune` and `evaluate` on the bundled demo model and digits.
@Suite struct FinetuneCommandTests {
  static let model = TestData.fixtures.appendingPathComponent("demo/pretrained_digits04.onnx").path
  static let train = TestData.fixtures.appendingPathComponent("demo/digits59/train").path
  static let test = TestData.fixtures.appendingPathComponent("demo/digits59/test").path

  @Test func finetuneExportsAModelThatEvaluates() throws {
    let dir = try TestData.temporaryDirectory("finetune")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("tuned.onnx").path
    let r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--epochs", "3", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Validation accuracy:"))
    for suffix in ["", ".history.csv", ".history.json", ".config.json", ".report.html"] {
      #expect(FileManager.default.fileExists(atPath: out + suffix), "missing \(out + suffix)")
    }
    let html = try String(contentsOfFile: out + ".report.html", encoding: .utf8)
    #expect(html.contains("<svg") && html.contains("Confusion matrix") && !html.contains("<script"))
    let tuned = try ONNXReader.readModel(atPath: out)
    #expect(tuned.metadata("onnx_tune.class_names") == "[\"5\",\"6\",\"7\",\"8\",\"9\"]")
    #expect(tuned.metadata("onnx_tune.preprocessing")?.contains("0.1307") == true)
    #expect(!tuned.graph!.nodes.contains { $0.opType == "BatchNormalization" }, "deployment export folds BatchNorm")
    let e = try CLIRunner.run(["evaluate", out, "--data", Self.test, "--json"])
    #expect(e.status == 0, "\(e.stderr)")
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as? [String: Any])
    #expect(doc["samples"] as? Int == 500)
    #expect((doc["accuracy"] as? Double ?? 0) > 0.5)
  }

  @Test func trainableExportKeepsItsFrozenSetWhenTunedAgain() throws {
    let dir = try TestData.temporaryDirectory("trainable")
    defer { try? FileManager.default.removeItem(at: dir) }
    let first = dir.appendingPathComponent("first.onnx").path
    let second = dir.appendingPathComponent("second.onnx").path
    var r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--epochs", "1", "--trainable", "--out", first])
    #expect(r.status == 0, "\(r.stderr)")
    r = try CLIRunner.run(["finetune", first, "--data", Self.train, "--epochs", "1", "--trainable", "--out", second])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Continuing a trainable export"))
    let a = try ONNXReader.readModel(atPath: first)
    let b = try ONNXReader.readModel(atPath: second)
    let trainable = Set(a.metadata("onnx_tune.trainable")!.split(separator: "\n").map(String.init))
    #expect(b.metadata("onnx_tune.trainable") == a.metadata("onnx_tune.trainable"))
    #expect(a.graph!.nodes.contains { $0.opType == "BatchNormalization" }, "a trainable export keeps BatchNorm")
    for t in a.graph!.initializers {
      let other = b.graph!.initializer(named: t.name!)!
      if trainable.contains(t.name!) {
        #expect(!other.data.isIdentical(to: t.data), "\(t.name!) should have trained")
      } else {
        #expect(other.data.isIdentical(to: t.data), "\(t.name!) should have stayed frozen")
      }
    }
  }

  @Test func configFileIsEquivalentToFlags() throws {
    let dir = try TestData.temporaryDirectory("config")
    defer { try? FileManager.default.removeItem(at: dir) }
    let a = dir.appendingPathComponent("a.onnx").path
    let b = dir.appendingPathComponent("b.onnx").path
    var r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--epochs", "2", "--lr", "0.002", "--out", a])
    #expect(r.status == 0, "\(r.stderr)")
    r = try CLIRunner.run(["finetune", "--config", a + ".config.json", "--out", b])
    #expect(r.status == 0, "\(r.stderr)")
    let x = try ONNXReader.readModel(atPath: a)
    let y = try ONNXReader.readModel(atPath: b)
    for t in x.graph!.initializers {
      #expect(y.graph!.initializer(named: t.name!)!.data.isIdentical(to: t.data), "\(t.name!) differs between flags and config")
    }
  }

  @Test func twoPhaseFineTuningTrainsMoreLayers() throws {
    let dir = try TestData.temporaryDirectory("twophase")
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("t.onnx").path
    let r = try CLIRunner.run([
      "finetune", Self.model, "--data", Self.train, "--epochs", "1", "--unfreeze-last", "2", "--fine-tune-epochs", "1",
      "--trainable", "--out", out,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Phase two: 5 trainable tensors"))
    let csv = try String(contentsOfFile: out + ".history.csv", encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 3, "two epochs in the history")
  }

  @Test func badArgumentsAreUsageErrors() throws {
    var r = try CLIRunner.run(["finetune", Self.model, "--out", "/tmp/x.onnx"])
    #expect(r.status == 2 && r.stderr.contains("--data PATH is required"))
    r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--out", "/tmp/x.onnx", "--optimizer", "rmsprop"])
    #expect(r.status == 2 && r.stderr.contains("adamw, adam or sgd"))
    r = try CLIRunner.run(["finetune", Self.model, "--data", "/nonexistent", "--out", "/tmp/x.onnx"])
    #expect(r.status == 1 && r.stderr.contains("/nonexistent"))
    r = try CLIRunner.run(["finetune", Self.model, "--data", Self.train, "--out", "/tmp/x.onnx", "--freeze", "bogus"])
    #expect(r.status == 1 && r.stderr.contains("freeze policy 'bogus'"))
  }
}
