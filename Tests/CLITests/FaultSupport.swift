import Foundation
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// Helpers shared by the fault-injection, resume and bad-data suites.
enum Fault {
  struct Outcome {
    var status: Int32
    /// Killed by a signal (SIGKILL from the fault hook or the test).
    var killed: Bool
    var stdout: String
    var stderr: String
  }

  /// Runs `onnx-tune arguments...` with `ONNX_TUNE_FAULT=fault` (when given); with
  /// `killAfter`, sends SIGKILL after that many seconds if it still runs.
  static func run(_ arguments: [String], fault: String? = nil, killAfter: Double? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = try CLIRunner.executable
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["ONNX_TUNE_FAULT"] = fault
    process.environment = environment
    let directory = try TestData.temporaryDirectory("fault-out")
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("out")
    let err = directory.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    if let killAfter {
      let deadline = Date().addingTimeInterval(killAfter)
      while process.isRunning && Date() < deadline { usleep(2000) }
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, killed: process.terminationReason == .uncaughtSignal,
      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "", stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
  }

  /// Every file in `directory` (not recursive) with its bytes.
  static func snapshot(_ directory: URL) -> [String: Data] {
    var files: [String: Data] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
      let url = directory.appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        files[name] = FileManager.default.contents(atPath: url.path)
      }
    }
    return files
  }

  /// Names of temporary files a writer left in `directory`.
  static func temporaries(_ directory: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.contains(".tmp-") }.sorted()
  }

  /// A copy of `source`'s files in a fresh folder.
  static func copy(_ source: URL, label: String) throws -> URL {
    let directory = try TestData.temporaryDirectory(label)
    for (name, data) in snapshot(source) {
      try data.write(to: directory.appendingPathComponent(name))
    }
    return directory
  }

  /// The bit patterns of every initializer of `model`, by name (a data-level identity).
  static func tensors(_ model: Model) -> [String: [UInt8]] {
    var out: [String: [UInt8]] = [:]
    for t in model.graph?.initializers ?? [] {
      let d = t.data
      out[t.name ?? ""] =
        d.dtype == .string
        ? Array(d.strings.joined(separator: [0]))
        : Array(UnsafeRawBufferPointer(start: d.buffer.pointer, count: d.byteCount))
    }
    return out
  }

  /// Runs `mount` (as root); false when mounting is not permitted here.
  static func mount(_ arguments: [String]) -> Bool {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/mount")
    p.arguments = arguments
    p.standardError = FileHandle.nullDevice
    p.standardOutput = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return false }
    p.waitUntilExit()
    return p.terminationStatus == 0
  }

  static func unmount(_ path: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/umount")
    p.arguments = ["-l", path]
    try? p.run()
    p.waitUntilExit()
  }

  /// A small tmpfs of `size` mounted on a fresh folder, or nil (with the reason) when mounting
  /// is not permitted (not root, or a container without CAP_SYS_ADMIN).
  static func tmpfs(size: String, label: String) throws -> (URL, String?) {
    let directory = try TestData.temporaryDirectory(label)
    guard getuid() == 0 else { return (directory, "not root: cannot mount a tmpfs to fill") }
    guard mount(["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", directory.path]) else {
      return (directory, "mount -t tmpfs is not permitted here")
    }
    return (directory, nil)
  }
}

extension Fault {
  static let demoModel = TestData.fixtures.appendingPathComponent("demo/pretrained_digits04.onnx").path
  static let demoTrain = TestData.fixtures.appendingPathComponent("demo/digits59/train")

  /// The first `perClass` images of each class of the demo digits, copied into a fresh folder
  /// (the caller removes it): a data set small enough for many short runs.
  static func smallDigits(perClass: Int, label: String = "digits") throws -> URL {
    let dir = try TestData.temporaryDirectory(label)
    let fm = FileManager.default
    for c in try fm.contentsOfDirectory(atPath: demoTrain.path).sorted() {
      let source = demoTrain.appendingPathComponent(c)
      let target = dir.appendingPathComponent(c)
      try fm.createDirectory(at: target, withIntermediateDirectories: true)
      for f in try fm.contentsOfDirectory(atPath: source.path).sorted().prefix(perClass) {
        try fm.copyItem(at: source.appendingPathComponent(f), to: target.appendingPathComponent(f))
      }
    }
    return dir
  }
}
