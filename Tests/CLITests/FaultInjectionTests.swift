import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Kills `onnx-tune` at every point of an atomic write (the `ONNX_TUNE_FAULT` hook in the
/// writer, then real SIGKILLs at random moments) and checks that the output path always holds
/// the previous file, byte-identical, or the complete new one; and that a full disk or an
/// unwritable folder gives a clear error and keeps the original.
@Suite(.serialized) struct FaultInjectionTests {
  static let models = TestData.fixtures.appendingPathComponent("models")
  /// The model written over the old output: weights in an external data file.
  static let newModel = models.appendingPathComponent("external_data/model.onnx").path
  static let oldModel = models.appendingPathComponent("torch_cnn.onnx").path

  /// The phases of one model write with external data, in order.
  static let phases = [
    "data-create", "data-write", "data-fsync", "data-renamed", "model-create", "model-write", "model-fsync",
    "model-renamed", "dir-fsync", "old-data-removed",
  ]

  /// A folder holding `out.onnx` written by `convert` from `source` (with external data when
  /// `external`).
  static func prepareOld(source: String, external: Bool, label: String) throws -> URL {
    let dir = try TestData.temporaryDirectory(label)
    let r = try Fault.run(["convert", source, dir.appendingPathComponent("out.onnx").path] + (external ? ["--external-data"] : []))
    #expect(r.status == 0, "\(r.stderr)")
    return dir
  }

  enum State: Equatable { case old, new }

  /// Which complete model `dir/out.onnx` is, with a failed expectation when it is neither (or
  /// when "old" is not byte-identical to `old`).
  static func check(
    _ dir: URL, old: [String: Data], oldTensors: [String: [UInt8]], newTensors: [String: [UInt8]], _ what: String
  ) -> State? {
    let path = dir.appendingPathComponent("out.onnx").path
    guard let model = try? ONNXReader.readModel(atPath: path) else {
      Issue.record("\(what): out.onnx does not read back")
      return nil
    }
    let t = Fault.tensors(model)
    if t == oldTensors {
      let now = Fault.snapshot(dir)
      #expect(now["out.onnx"] == old["out.onnx"], "\(what): the old out.onnx changed")
      for (name, data) in old where name != "out.onnx" {
        #expect(now[name] == nil || now[name] == data, "\(what): the old data file \(name) changed")
      }
      return .old
    }
    #expect(t == newTensors, "\(what): out.onnx is neither the old nor the new model")
    return t == newTensors ? .new : nil
  }

  /// After a kill: a clean run in the same folder succeeds, writes the new model and leaves no
  /// temporary file behind.
  static func checkRecovery(_ dir: URL, arguments: [String], newTensors: [String: [UInt8]], _ what: String) throws {
    let r = try Fault.run(arguments)
    #expect(r.status == 0 && !r.killed, "\(what): the run after the kill failed: \(r.stderr)")
    let model = try ONNXReader.readModel(atPath: dir.appendingPathComponent("out.onnx").path)
    #expect(Fault.tensors(model) == newTensors, "\(what): the run after the kill wrote something else")
    #expect(Fault.temporaries(dir).isEmpty, "\(what): temporary files left: \(Fault.temporaries(dir))")
  }

  @Test(arguments: [true, false])
  func convertKilledAtEveryPhase(external: Bool) throws {
    let base = try Self.prepareOld(source: Self.oldModel, external: external, label: "fault-phase")
    defer { try? FileManager.default.removeItem(at: base) }
    let old = Fault.snapshot(base)
    let oldTensors = Fault.tensors(try ONNXReader.readModel(atPath: base.appendingPathComponent("out.onnx").path))
    let newTensors = Fault.tensors(try ONNXReader.readModel(atPath: Self.newModel))
    var outcomes: [String: State] = [:]
    for phase in Self.phases {
      let dir = try Fault.copy(base, label: "fault-phase-run")
      defer { try? FileManager.default.removeItem(at: dir) }
      let arguments = ["convert", Self.newModel, dir.appendingPathComponent("out.onnx").path] + (external ? ["--external-data"] : ["--inline"])
      let r = try Fault.run(arguments, fault: "kill-at:\(phase)")
      let reached = external || !phase.hasPrefix("data-")
      #expect(r.killed == reached, "\(phase): killed \(r.killed), status \(r.status) \(r.stderr)")
      let state = Self.check(dir, old: old, oldTensors: oldTensors, newTensors: newTensors, "kill at \(phase)")
      outcomes[phase] = state
      try Self.checkRecovery(dir, arguments: arguments, newTensors: newTensors, "kill at \(phase)")
    }
    // Before the model's rename the old model stands; from it on, the new one.
    for phase in Self.phases where external || !phase.hasPrefix("data-") {
      let renamed = Self.phases.firstIndex(of: phase)! >= Self.phases.firstIndex(of: "model-renamed")!
      #expect(outcomes[phase] == (renamed ? .new : .old), "\(phase): \(String(describing: outcomes[phase]))")
    }
  }

  @Test(arguments: [true, false])
  func convertKilledAfterEveryFewBytes(external: Bool) throws {
    let base = try Self.prepareOld(source: Self.oldModel, external: external, label: "fault-bytes")
    defer { try? FileManager.default.removeItem(at: base) }
    let old = Fault.snapshot(base)
    let oldTensors = Fault.tensors(try ONNXReader.readModel(atPath: base.appendingPathComponent("out.onnx").path))
    let newTensors = Fault.tensors(try ONNXReader.readModel(atPath: Self.newModel))
    // The bytes a complete write produces (model + external data).
    let probe = try TestData.temporaryDirectory("fault-probe")
    defer { try? FileManager.default.removeItem(at: probe) }
    let flags = external ? ["--external-data"] : ["--inline"]
    #expect(try Fault.run(["convert", Self.newModel, probe.appendingPathComponent("out.onnx").path] + flags).status == 0)
    let total = Fault.snapshot(probe).values.reduce(0) { $0 + $1.count }
    var points = Set([0, 1, 2, 16, 100, total - 1, total])
    for k in 1..<20 { points.insert(total * k / 20) }
    if external {
      let data = Fault.snapshot(probe)["out.onnx.data"]?.count ?? 0
      points.formUnion([data - 1, data, data + 1, data + 7])
    }
    var killed = 0
    for n in points.sorted() where n >= 0 {
      let dir = try Fault.copy(base, label: "fault-bytes-run")
      defer { try? FileManager.default.removeItem(at: dir) }
      let arguments = ["convert", Self.newModel, dir.appendingPathComponent("out.onnx").path] + flags
      let r = try Fault.run(arguments, fault: "kill-after-bytes:\(n)")
      #expect(r.killed, "kill-after-bytes:\(n) of \(total): not killed (status \(r.status))")
      if r.killed { killed += 1 }
      // Every byte budget ends inside a temporary file: the old model stands.
      #expect(Self.check(dir, old: old, oldTensors: oldTensors, newTensors: newTensors, "kill after \(n) bytes") == .old)
      try Self.checkRecovery(dir, arguments: arguments, newTensors: newTensors, "kill after \(n) bytes")
    }
    #expect(killed == points.filter { $0 >= 0 }.count)
  }

  /// A model with one large weight, to be killed at random moments while it is written.
  static func largeModel(_ path: String, value: Float) throws {
    let count = 24 << 20 / 4
    let weight = Tensor([Float](repeating: value, count: count), shape: [count])
    var graph = Graph(name: "large")
    graph.initializers = [TensorProto(name: "w", data: weight)]
    graph.inputs = [ValueInfo(name: "x")]
    graph.outputs = [ValueInfo(name: "y")]
    graph.nodes = [Node(opType: "Add", inputs: ["x", "w"], outputs: ["y"], name: "add")]
    let model = Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 13)], graph: graph)
    try ONNXWriter.write(model, toPath: path)
  }

  @Test func convertKilledAtRandomMoments() throws {
    let base = try TestData.temporaryDirectory("fault-timing")
    defer { try? FileManager.default.removeItem(at: base) }
    let source = base.appendingPathComponent("source.onnx").path
    try Self.largeModel(source, value: 2)
    let work = try TestData.temporaryDirectory("fault-timing-old")
    defer { try? FileManager.default.removeItem(at: work) }
    try Self.largeModel(work.appendingPathComponent("old.onnx").path, value: 1)
    let r0 = try Fault.run(["convert", work.appendingPathComponent("old.onnx").path, work.appendingPathComponent("out.onnx").path, "--external-data"])
    #expect(r0.status == 0, "\(r0.stderr)")
    try FileManager.default.removeItem(at: work.appendingPathComponent("old.onnx"))
    let old = Fault.snapshot(work)
    let oldTensors = Fault.tensors(try ONNXReader.readModel(atPath: work.appendingPathComponent("out.onnx").path))
    let newTensors = Fault.tensors(try ONNXReader.readModel(atPath: source))
    // How long an uninterrupted convert takes, then kills spread over that time.
    let probe = try Fault.copy(work, label: "fault-timing-probe")
    defer { try? FileManager.default.removeItem(at: probe) }
    let started = Date()
    let arguments = { (dir: URL) in ["convert", source, dir.appendingPathComponent("out.onnx").path, "--external-data"] }
    #expect(try Fault.run(arguments(probe)).status == 0)
    let duration = Date().timeIntervalSince(started)
    var generator = SystemRandomNumberGenerator()
    var states: [State] = []
    for k in 0..<8 {
      let dir = try Fault.copy(work, label: "fault-timing-run")
      defer { try? FileManager.default.removeItem(at: dir) }
      let delay = duration * (Double(k) + Double.random(in: 0..<1, using: &generator)) / 8
      _ = try Fault.run(arguments(dir), killAfter: delay)
      if let s = Self.check(dir, old: old, oldTensors: oldTensors, newTensors: newTensors, "kill after \(delay) s") {
        states.append(s)
      }
      try Self.checkRecovery(dir, arguments: arguments(dir), newTensors: newTensors, "kill after \(delay) s")
    }
    #expect(states.count == 8)
  }

  // MARK: - Checkpoints

  static let demoModel = TestData.fixtures.appendingPathComponent("demo/pretrained_digits04.onnx").path
  static let demoData = TestData.fixtures.appendingPathComponent("demo/digits59/train").path

  /// A finetune run on `data` writing into `dir`.
  static func finetuneArguments(_ dir: URL, data: URL, epochs: Int = 2) -> [String] {
    [
      "finetune", demoModel, "--data", data.path, "--epochs", String(epochs), "--batch-size", "8", "--seed", "3",
      "--checkpoint-dir", dir.appendingPathComponent("ckpt").path, "--out", dir.appendingPathComponent("tuned.onnx").path,
    ]
  }

  /// The tensors of `best.ckpt` and `last.ckpt` in `dir/ckpt` (empty for a missing file; a
  /// file that does not read back fails the test).
  static func checkpointState(_ dir: URL, _ what: String) -> [String: [String: [UInt8]]] {
    var state: [String: [String: [UInt8]]] = [:]
    for name in ["best.ckpt", "last.ckpt"] {
      let path = dir.appendingPathComponent("ckpt/" + name).path
      guard FileManager.default.fileExists(atPath: path) else {
        state[name] = [:]
        continue
      }
      do {
        let model = try ONNXReader.readModel(atPath: path)
        #expect(model.metadata("onnx_tune.checkpoint") == "1", "\(what): \(name) is not a checkpoint")
        state[name] = Fault.tensors(model)
      } catch {
        Issue.record("\(what): \(name) does not read back: \(error)")
      }
    }
    return state
  }

  @Test func checkpointWritesKilledAtEveryPhase() throws {
    let data = try Fault.smallDigits(perClass: 6)
    defer { try? FileManager.default.removeItem(at: data) }
    // The states after each complete checkpoint write (training is deterministic, so every
    // run passes through the same ones): kill just after the K-th write finished.
    var complete: [[String: [String: [UInt8]]]] = []
    let phases = ["model-create", "model-write", "model-fsync", "model-renamed", "dir-fsync"]
    var writes = 0
    for k in 1...8 {
      let dir = try TestData.temporaryDirectory("ckpt-complete")
      defer { try? FileManager.default.removeItem(at: dir) }
      let r = try Fault.run(Self.finetuneArguments(dir, data: data), fault: "kill-at:dir-fsync:\(k)")
      complete.append(Self.checkpointState(dir, "complete write \(k)"))
      if !r.killed { break }  // the run ended before a k-th write
      writes = k
    }
    // The last write of a run is the exported model, not a checkpoint.
    #expect(writes >= 4, "expected at least 3 checkpoint writes and the export, got \(writes)")
    print("checkpoint kill points: \(writes) writes × \(phases.count) phases")
    var kills = 0
    for k in 1...writes {
      for phase in phases {
        let dir = try TestData.temporaryDirectory("ckpt-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Fault.run(Self.finetuneArguments(dir, data: data), fault: "kill-at:\(phase):\(k)")
        #expect(r.killed, "kill-at:\(phase):\(k) did not kill: \(r.stderr)")
        kills += 1
        let state = Self.checkpointState(dir, "kill at \(phase) of write \(k)")
        let before = k >= 2 ? complete[k - 2] : ["best.ckpt": [:], "last.ckpt": [:]]
        let after = complete[k - 1]
        #expect(state == before || state == after, "kill at \(phase) of write \(k): the checkpoints are neither the previous nor the new ones")
        if phase == "model-write" {
          // Killed with a complete temporary file beside the checkpoints: the run resumed (or
          // restarted) after it finishes and leaves no temporary file.
          let resume = FileManager.default.fileExists(atPath: dir.appendingPathComponent("ckpt/last.ckpt").path)
          let again = try Fault.run(Self.finetuneArguments(dir, data: data) + (resume ? ["--resume"] : []))
          #expect(again.status == 0, "after kill at \(phase) of write \(k): \(again.stderr)")
          #expect(Fault.temporaries(dir.appendingPathComponent("ckpt")).isEmpty, "temporary files left after write \(k)")
          #expect(Fault.temporaries(dir).isEmpty, "temporary files left after write \(k)")
        }
      }
    }
    #expect(kills == writes * phases.count)
  }

  /// The reports written beside the model after training (history CSV and JSON, config, HTML)
  /// go through the same atomic writer: a run killed in the middle of one leaves its temporary
  /// file, and the resumed run writes every report and removes that file.
  @Test func reportWritesKilledThenResumedLeaveNoTemporaries() throws {
    let data = try Fault.smallDigits(perClass: 6)
    defer { try? FileManager.default.removeItem(at: data) }
    let reports = ["tuned.onnx.history.csv", "tuned.onnx.history.json", "tuned.onnx.config.json", "tuned.onnx.report.html"]
    for k in 1...reports.count {
      let dir = try TestData.temporaryDirectory("report-kill")
      defer { try? FileManager.default.removeItem(at: dir) }
      let r = try Fault.run(Self.finetuneArguments(dir, data: data), fault: "kill-at:file-write:\(k)")
      #expect(r.killed, "kill-at:file-write:\(k) did not kill: \(r.stderr)")
      #expect(Fault.temporaries(dir).count == 1, "report write \(k): expected the killed write's temporary file, found \(Fault.temporaries(dir))")
      let again = try Fault.run(Self.finetuneArguments(dir, data: data) + ["--resume"])
      #expect(again.status == 0, "after kill at report write \(k): \(again.stderr)")
      #expect(Fault.temporaries(dir).isEmpty, "report write \(k): temporary files left: \(Fault.temporaries(dir))")
      for name in reports {
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "report write \(k): \(name) missing")
      }
    }
  }

  // MARK: - Full disk and unwritable folders

  @Test func convertToAFullDiskKeepsTheOriginal() throws {
    let (dir, skip) = try Fault.tmpfs(size: "64k", label: "fault-full")
    defer { try? FileManager.default.removeItem(at: dir) }
    guard skip == nil else {
      print("skipped: \(skip!)")
      return
    }
    defer { Fault.unmount(dir.path) }
    let out = dir.appendingPathComponent("out.onnx").path
    let small = try Fault.run(["convert", Self.oldModel, out])
    #expect(small.status == 0, "\(small.stderr)")
    let old = Fault.snapshot(dir)
    // 134 KB of external data does not fit in 64 KB.
    for flags in [["--external-data"], ["--inline"]] {
      let r = try Fault.run(["convert", Self.newModel, out] + flags)
      #expect(r.status == 1 && !r.killed, "\(flags): status \(r.status)")
      #expect(r.stderr.contains(out) && r.stderr.contains("No space left on device"), "\(flags): \(r.stderr)")
      #expect(Fault.snapshot(dir) == old, "\(flags): the original was not kept as it was (or files were left)")
    }
  }

  @Test func convertToAReadOnlyFolderKeepsTheOriginal() throws {
    let (dir, skip) = try Fault.tmpfs(size: "1m", label: "fault-ro")
    defer { try? FileManager.default.removeItem(at: dir) }
    guard skip == nil else {
      print("skipped: \(skip!)")
      return
    }
    defer { Fault.unmount(dir.path) }
    let out = dir.appendingPathComponent("out.onnx").path
    #expect(try Fault.run(["convert", Self.oldModel, out]).status == 0)
    let old = Fault.snapshot(dir)
    #expect(Fault.mount(["-o", "remount,ro", dir.path]), "remount read-only")
    let r = try Fault.run(["convert", Self.newModel, out])
    #expect(r.status == 1)
    #expect(r.stderr.contains(out) && r.stderr.contains("Read-only file system"), "\(r.stderr)")
    #expect(Fault.snapshot(dir) == old)
    // finetune refuses before training.
    let f = try Fault.run(["finetune", Self.demoModel, "--data", Self.demoData, "--epochs", "1", "--out", out])
    #expect(f.status == 1 && f.stderr.contains("not writable") && f.stderr.contains(dir.path), "\(f.stderr)")
    #expect(!f.stdout.contains("Epoch 1/"), "finetune trained before finding it cannot write")
  }

  @Test func injectedFullDiskInEveryWriteStepKeepsTheOriginal() throws {
    let base = try Self.prepareOld(source: Self.oldModel, external: true, label: "fault-enospc")
    defer { try? FileManager.default.removeItem(at: base) }
    let old = Fault.snapshot(base)
    for phase in ["data-create", "data-write", "data-fsync", "model-create", "model-write", "model-fsync"] {
      for code in ["ENOSPC", "EACCES"] {
        let dir = try Fault.copy(base, label: "fault-enospc-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out.onnx").path
        let r = try Fault.run(["convert", Self.newModel, out, "--external-data"], fault: "fail-at:\(phase):\(code)")
        #expect(r.status == 1 && !r.killed, "\(phase) \(code): status \(r.status)")
        let text = code == "ENOSPC" ? "No space left on device" : "Permission denied"
        #expect(r.stderr.contains(out) && r.stderr.contains(text), "\(phase) \(code): \(r.stderr)")
        #expect(Fault.snapshot(dir) == old, "\(phase) \(code): the original changed or files were left: \(Fault.snapshot(dir).keys.sorted())")
      }
    }
  }

  @Test func checkpointToAFullDiskStopsTrainingAndKeepsTheLastGoodOne() throws {
    let data = try Fault.smallDigits(perClass: 6)
    defer { try? FileManager.default.removeItem(at: data) }
    let dir = try TestData.temporaryDirectory("ckpt-full")
    defer { try? FileManager.default.removeItem(at: dir) }
    // The third checkpoint write (epoch 2's best or last) finds the disk full.
    let r = try Fault.run(Self.finetuneArguments(dir, data: data, epochs: 4), fault: "fail-at:model-write:ENOSPC:3")
    #expect(r.status == 1 && !r.killed)
    #expect(r.stderr.contains("cannot write the checkpoint of epoch 2"), "\(r.stderr)")
    #expect(r.stderr.contains("No space left on device") && r.stderr.contains("last.ckpt still holds the last good checkpoint"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("tuned.onnx").path))
    let last = try ONNXReader.readModel(atPath: dir.appendingPathComponent("ckpt/last.ckpt").path)
    #expect(last.metadata("epoch") == "1")
    #expect(Fault.temporaries(dir.appendingPathComponent("ckpt")).isEmpty)
    // And it resumes from there.
    let resumed = try Fault.run(Self.finetuneArguments(dir, data: data, epochs: 4) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout.contains("Resuming after epoch 1"))
  }

  @Test func checkpointToARealFullDisk() throws {
    let (dir, skip) = try Fault.tmpfs(size: "16k", label: "ckpt-tmpfs")
    defer { try? FileManager.default.removeItem(at: dir) }
    guard skip == nil else {
      print("skipped: \(skip!)")
      return
    }
    defer { Fault.unmount(dir.path) }
    let work = try TestData.temporaryDirectory("ckpt-tmpfs-out")
    defer { try? FileManager.default.removeItem(at: work) }
    let r = try Fault.run([
      "finetune", Self.demoModel, "--data", Self.demoData, "--epochs", "2", "--checkpoint-dir", dir.path, "--head",
      "dense:512:relu,dense:CLASSES", "--out", work.appendingPathComponent("t.onnx").path,
    ])
    #expect(r.status == 1 && !r.killed)
    #expect(r.stderr.contains("cannot write the checkpoint of epoch 1") && r.stderr.contains("No space left on device"), "\(r.stderr)")
    #expect(r.stderr.contains(dir.path), "\(r.stderr)")
    #expect(Fault.temporaries(dir).isEmpty, "\(Fault.temporaries(dir))")
  }

  @Test func outputFolderThatDoesNotExistOrIsAFile() throws {
    let dir = try TestData.temporaryDirectory("fault-paths")
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("file")
    try Data("x".utf8).write(to: file)
    let cases: [(String, String)] = [
      (dir.appendingPathComponent("missing/out.onnx").path, "does not exist"),
      (file.appendingPathComponent("out.onnx").path, "is not a folder"),
      (dir.path, "is a folder"),
    ]
    for (out, message) in cases {
      let r = try Fault.run(["convert", Self.oldModel, out])
      #expect(r.status == 1 && r.stderr.contains(message), "convert to \(out): \(r.stderr)")
      let f = try Fault.run(["finetune", Self.demoModel, "--data", Self.demoData, "--epochs", "1", "--out", out])
      #expect(f.status == 1 && f.stderr.contains(message), "finetune to \(out): \(f.stderr)")
      #expect(!f.stdout.contains("Epoch 1/"), "finetune trained before finding it cannot write \(out)")
    }
    let c = try Fault.run([
      "finetune", Self.demoModel, "--data", Self.demoData, "--epochs", "1", "--checkpoint-dir", file.path, "--out",
      dir.appendingPathComponent("tuned.onnx").path,
    ])
    #expect(c.status == 1 && c.stderr.contains("is a file, not a folder"), "\(c.stderr)")
    #expect(Fault.snapshot(dir).keys.sorted() == ["file"], "files were left: \(Fault.snapshot(dir).keys.sorted())")
  }
}
