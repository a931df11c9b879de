import Foundation
import TuneIR
import TuneONNX
import TuneTensor

#if canImport(Glibc)
  import Glibc
#endif

/// A file outside a model's folder that no reader may open, and proof that none did.
///
/// The sentinel is a FIFO (`mkfifo`), watched with inotify:
/// - opening a FIFO for reading blocks until a writer appears, so a reader that opened it
///   would hang instead of failing fast; callers run the read with a timeout
///   (`Sentinel.withTimeout`) and report a hang as "the sentinel was opened";
/// - even a non-blocking open (or an open that fails later checks) is recorded by the kernel:
///   inotify reports `IN_OPEN` for any open of the inode, by this process or a child (the CLI);
///   `opened()` reads those events. `selfTest()` opens the sentinel once to show that the watch
///   sees opens, so a silent watch cannot pass for a clean run.
/// `stat`, `lstat`, `readlink` and `realpath` (what a path check does) do not open the file and
/// give no event. Checking the atime would not do (noatime/relatime mounts), and a mode-000
/// file proves nothing when the tests run as root.
public final class Sentinel {
  public let directory: URL
  public let path: String
  private let inotify: Int32

  /// Makes `<parent>/outside/secret.bin` as a FIFO and starts watching it.
  public init(in parent: URL) throws {
    directory = parent.appendingPathComponent("outside")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    path = directory.appendingPathComponent("secret.bin").path
    guard mkfifo(path, 0o644) == 0 else { throw SentinelError("mkfifo \(path): \(String(cString: strerror(errno)))") }
    inotify = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
    guard inotify >= 0 else { throw SentinelError("inotify_init1: \(String(cString: strerror(errno)))") }
    guard inotify_add_watch(inotify, path, UInt32(IN_OPEN | IN_ACCESS)) >= 0 else {
      throw SentinelError("inotify_add_watch \(path): \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(inotify) }

  /// Number of open/access events on the sentinel since the last call.
  public func opened() -> Int {
    var events = 0
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
      guard n > 0 else { break }
      var offset = 0
      while offset < n {
        let (mask, length) = buffer.withUnsafeBytes { b in
          (b.load(fromByteOffset: offset + 4, as: UInt32.self), Int(b.load(fromByteOffset: offset + 12, as: UInt32.self)))
        }
        if mask & UInt32(IN_OPEN | IN_ACCESS) != 0 { events += 1 }
        offset += 16 + length
      }
    }
    return events
  }

  /// Opens the sentinel (non-blocking) and checks that the watch reports it: the proof that a
  /// count of 0 from `opened()` means something.
  public func selfTest() throws {
    _ = opened()
    let fd = open(path, O_RDONLY | O_NONBLOCK)
    guard fd >= 0 else { throw SentinelError("cannot open the sentinel for the self-test") }
    close(fd)
    guard opened() > 0 else { throw SentinelError("inotify did not report an open of the sentinel") }
  }

  /// Runs `body` on another thread; nil when it has not finished within `seconds` (then a writer
  /// opens the FIFO so that a reader blocked in `open` can go on, and the thread is left to end).
  public func withTimeout<T: Sendable>(seconds: Double, _ body: @escaping @Sendable () -> T) -> T? {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: T?
    Thread.detachNewThread {
      result = body()
      done.signal()
    }
    if done.wait(timeout: .now() + seconds) == .success { return result }
    let w = open(path, O_WRONLY | O_NONBLOCK)
    if w >= 0 { close(w) }
    return nil
  }
}

public struct SentinelError: Error, CustomStringConvertible {
  public var description: String
  public init(_ d: String) { description = d }
}

/// Locations by which external data could reach `<parent>/outside/secret.bin` from a model in
/// `<parent>/model/`, with the links they need made inside the model's folder.
public enum EscapeRoutes {
  /// (description, location) pairs; makes the symbolic links in `modelDir`.
  public static func make(modelDir: URL, sentinel: Sentinel) throws -> [(String, String)] {
    let fm = FileManager.default
    let m = modelDir.path
    // A symbolic link to the sentinel, relative and absolute, and a chain of two links.
    try fm.createSymbolicLink(atPath: m + "/link.bin", withDestinationPath: "../outside/secret.bin")
    try fm.createSymbolicLink(atPath: m + "/abslink.bin", withDestinationPath: sentinel.path)
    try fm.createSymbolicLink(atPath: m + "/chain.bin", withDestinationPath: "link.bin")
    // A symbolic link to the sentinel's folder.
    try fm.createSymbolicLink(atPath: m + "/linkdir", withDestinationPath: "../outside")
    // A real subfolder, to climb out of with '..'.
    try fm.createDirectory(atPath: m + "/sub", withIntermediateDirectories: true)
    return [
      ("absolute path", sentinel.path),
      ("absolute path with a double slash", "/" + sentinel.path),
      ("'..'", "../outside/secret.bin"),
      ("'./..'", "./../outside/secret.bin"),
      ("'..' after a real folder", "sub/../../outside/secret.bin"),
      ("relative symbolic link", "link.bin"),
      ("absolute symbolic link", "abslink.bin"),
      ("chain of symbolic links", "chain.bin"),
      ("symbolic link to a folder", "linkdir/secret.bin"),
      ("embedded NUL before a link name", "link.bin\u{0}.data"),
      ("embedded NUL truncating to a link", "chain.bin\u{0}"),
      ("backslashes", "..\\outside\\secret.bin"),
      ("backslash absolute", "\\" + sentinel.path.dropFirst()),
    ]
  }

  /// Writes `model` to `modelDir/base.onnx` with its initializers external, then one copy per
  /// location with the first initializer's `location` replaced; returns (description, path).
  public static func models(_ model: Model, modelDir: URL, routes: [(String, String)]) throws -> [(String, String)] {
    let base = modelDir.appendingPathComponent("base.onnx").path
    try ONNXWriter.write(model, toPath: base, options: .init(externalData: .externalize(thresholdBytes: 8)))
    let back = try ONNXReader.readModel(atPath: base)
    var out: [(String, String)] = []
    for (i, (what, location)) in routes.enumerated() {
      var m = back
      guard let k = m.graph!.initializers[0].externalData.firstIndex(where: { $0.key == "location" }) else {
        throw SentinelError("the base model has no external data")
      }
      m.graph!.initializers[0].externalData[k].value = location
      let path = modelDir.appendingPathComponent("escape-\(i).onnx").path
      let bytes = try ONNXWriter.serialize(m, keepingExternalReferences: true)
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      out.append((what, path))
    }
    return out
  }
}
