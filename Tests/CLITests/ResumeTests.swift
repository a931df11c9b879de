import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// `finetune` killed in the middle of an epoch (by the `batch` fault hook or a real SIGKILL),
/// then `finetune --resume`, ends with the same weights, bit for bit, as an uninterrupted run
/// with the same seed: with and without augmentation, with a validation split and early
/// stopping.
@Suite(.serialized) struct ResumeTests {
  /// 10 images per class: 40 training and 10 validation samples, 5 batches of 8 per epoch.
  static let batchesPerEpoch = 5

  static func arguments(_ dir: URL, data: URL, augment: Bool, extra: [String]) -> [String] {
    [
      "finetune", Fault.demoModel, "--data", data.path, "--epochs", "4", "--batch-size", "8", "--seed", "11",
      "--checkpoint-dir", dir.appendingPathComponent("ckpt").path, "--out", dir.appendingPathComponent("tuned.onnx").path,
    ] + (augment ? ["--augment"] : []) + extra
  }

  /// The exported model's and the checkpoints' tensors, and the history without timings.
  static func outcome(_ dir: URL) throws -> [String: [String: [UInt8]]] {
    var out: [String: [String: [UInt8]]] = [:]
    for name in ["tuned.onnx", "ckpt/last.ckpt", "ckpt/best.ckpt"] {
      out[name] = Fault.tensors(try ONNXReader.readModel(atPath: dir.appendingPathComponent(name).path))
    }
    return out
  }

  static func losses(_ dir: URL) throws -> [String] {
    let csv = try String(contentsOf: dir.appendingPathComponent("tuned.onnx.history.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    guard let header = lines.first else { return [] }
    let keep = header.indices.filter { !["seconds", "examples_per_second"].contains(String(header[$0])) }
    return lines.map { row in keep.map { $0 < row.count ? String(row[$0]) : "" }.joined(separator: ",") }
  }

  static let variants: [(augment: Bool, extra: [String])] = [
    (false, []),
    (true, []),
    // Early stopping that triggers: a high learning rate and patience 1.
    (false, ["--lr", "0.3", "--patience", "1", "--epochs", "6"]),
    (true, ["--lr", "0.3", "--patience", "1", "--epochs", "6"]),
  ]

  @Test(arguments: 0..<4)
  func killedMidEpochThenResumedEqualsUninterrupted(variant: Int) throws {
    let (augment, extra) = Self.variants[variant]
    let data = try Fault.smallDigits(perClass: 10, label: "resume-data")
    defer { try? FileManager.default.removeItem(at: data) }
    let reference = try TestData.temporaryDirectory("resume-ref")
    defer { try? FileManager.default.removeItem(at: reference) }
    let r = try Fault.run(Self.arguments(reference, data: data, augment: augment, extra: extra))
    #expect(r.status == 0, "\(r.stderr)")
    let expected = try Self.outcome(reference)
    let expectedLosses = try Self.losses(reference)
    let stoppedEarly = r.stdout.contains("Early stopping")
    if extra.contains("--patience") { #expect(stoppedEarly, "the early-stopping variant should stop early:\n\(r.stdout)") }
    // Kill points: mid epoch 2, 3 and 4 (batches 7, 13, 18), and just before the export, after
    // training ended (a resume then trains no further, even after early stopping).
    var faults = [7, 13, 18].map { "kill-at:batch:\($0)" }
    faults.append("kill-at:export")
    for fault in faults {
      let dir = try TestData.temporaryDirectory("resume-run")
      defer { try? FileManager.default.removeItem(at: dir) }
      let killed = try Fault.run(Self.arguments(dir, data: data, augment: augment, extra: extra), fault: fault)
      let hasCheckpoint = FileManager.default.fileExists(atPath: dir.appendingPathComponent("ckpt/last.ckpt").path)
      if !killed.killed {
        // The run ended (early) before the kill point: nothing to resume.
        #expect(killed.status == 0, "\(fault): \(killed.stderr)")
        #expect(stoppedEarly, "\(fault): not reached, though the run does not stop early")
        continue
      }
      #expect(hasCheckpoint, "\(fault): killed before any checkpoint")
      let resumed = try Fault.run(Self.arguments(dir, data: data, augment: augment, extra: extra) + ["--resume"])
      #expect(resumed.status == 0, "\(fault): \(resumed.stderr)")
      #expect(resumed.stdout.contains("Resuming after epoch"), "\(fault)")
      let got = try Self.outcome(dir)
      for (file, tensors) in expected {
        let differing = tensors.keys.filter { got[file]?[$0] != tensors[$0] }.sorted()
        #expect(differing.isEmpty, "\(fault), augment \(augment) \(extra): \(file) differs from the uninterrupted run in \(differing)")
      }
      #expect(try Self.losses(dir) == expectedLosses, "\(fault): the history differs")
    }
  }

  @Test func killedAtRandomMomentsThenResumed() throws {
    let data = try Fault.smallDigits(perClass: 10, label: "resume-timing-data")
    defer { try? FileManager.default.removeItem(at: data) }
    let reference = try TestData.temporaryDirectory("resume-timing-ref")
    defer { try? FileManager.default.removeItem(at: reference) }
    let started = Date()
    let r = try Fault.run(Self.arguments(reference, data: data, augment: true, extra: []))
    #expect(r.status == 0, "\(r.stderr)")
    let duration = Date().timeIntervalSince(started)
    let expected = try Self.outcome(reference)
    var generator = SystemRandomNumberGenerator()
    for k in 0..<3 {
      let dir = try TestData.temporaryDirectory("resume-timing")
      defer { try? FileManager.default.removeItem(at: dir) }
      let delay = duration * (0.3 + 0.2 * Double(k) + Double.random(in: 0..<0.2, using: &generator))
      _ = try Fault.run(Self.arguments(dir, data: data, augment: true, extra: []), killAfter: delay)
      let resume = FileManager.default.fileExists(atPath: dir.appendingPathComponent("ckpt/last.ckpt").path)
      let again = try Fault.run(Self.arguments(dir, data: data, augment: true, extra: []) + (resume ? ["--resume"] : []))
      #expect(again.status == 0, "killed after \(delay) s: \(again.stderr)")
      #expect(try Self.outcome(dir) == expected, "killed after \(delay) s (resume: \(resume)): the weights differ")
      #expect(Fault.temporaries(dir.appendingPathComponent("ckpt")).isEmpty && Fault.temporaries(dir).isEmpty)
    }
  }

  @Test func resumeWithoutACheckpointSaysSo() throws {
    let data = try Fault.smallDigits(perClass: 4, label: "resume-none")
    defer { try? FileManager.default.removeItem(at: data) }
    let dir = try TestData.temporaryDirectory("resume-none-run")
    defer { try? FileManager.default.removeItem(at: dir) }
    let r = try Fault.run(Self.arguments(dir, data: data, augment: false, extra: []) + ["--resume"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("there is no checkpoint") && r.stderr.contains("last.ckpt"), "\(r.stderr)")
    #expect(!r.stdout.contains("Epoch 1/"))
  }
}
