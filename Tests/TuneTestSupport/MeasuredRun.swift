import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Runs the built `onnx-tune` under GNU time (`/usr/bin/time`, Debian's `time`, installed by
/// `scripts/setup.sh --tests`) to learn its own peak resident memory. Measuring it from the test
/// process does not work: Foundation's `Process` does not report it, and Linux gives a child
/// spawned from a large process (the test runner, several hundred MB) that process's peak as
/// its `ru_maxrss`, since `exec` keeps the larger of the old and new peaks. GNU time is small,
/// so the peak it reports for its own child is the child's. Used to show that a malicious model
/// is refused within a memory bound.
public enum MeasuredRun {
  public struct Result: Sendable {
    public var status: Int32
    /// The signal that ended the child, or 0 when it exited.
    public var signal: Int32
    public var stdout: String
    public var stderr: String
    /// Peak resident set size of the child, in bytes.
    public var maxRSSBytes: Int
    public var seconds: Double
  }

  public static let timePath = "/usr/bin/time"

  /// A file's text, read with `read(2)`. Not `String(contentsOfFile:)` nor
  /// `FileManager.contents(atPath:)`: in this toolchain's Foundation both leak a 4 KiB read
  /// buffer for an empty file (found by scripts/sanitize.sh address).
  static func contents(_ path: String) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      guard n > 0 else { break }
      bytes += chunk[0..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Runs `onnx-tune arguments...` with `environment` added to this process's environment;
  /// stdout and stderr go through files in a temporary folder.
  public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
    guard FileManager.default.isExecutableFile(atPath: Self.timePath) else {
      throw MissingTestData("\(Self.timePath) (Debian package 'time') is needed to measure memory; run scripts/setup.sh --tests")
    }
    let exe = try CLIRunner.executable.path
    let dir = try TestData.temporaryDirectory("measured")
    defer { try? FileManager.default.removeItem(at: dir) }
    let outPath = dir.appendingPathComponent("stdout").path
    let errPath = dir.appendingPathComponent("stderr").path
    let reportPath = dir.appendingPathComponent("time").path

    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    let argv: [UnsafeMutablePointer<CChar>?] = ([Self.timePath, "-f", "maxrss %M", "-o", reportPath, exe] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      for p in argv { free(p) }
      for p in envp { free(p) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)

    let start = ContinuousClock.now
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, Self.timePath, &actions, nil, argv, envp)
    guard rc == 0 else { throw SentinelError("posix_spawn \(Self.timePath): \(String(cString: strerror(rc)))") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
      guard errno == EINTR else { throw SentinelError("waitpid: \(String(cString: strerror(errno)))") }
    }
    let elapsed = ContinuousClock.now - start
    // GNU time exits with the command's status and writes "Command terminated by signal N"
    // (or "Command exited with non-zero status N") before the "maxrss KiB" line.
    let report = Self.contents(reportPath)
    var signal: Int32 = 0
    var maxRSS: Int?
    for line in report.split(separator: "\n") {
      if line.hasPrefix("Command terminated by signal "), let n = Int32(line.split(separator: " ").last ?? "") { signal = n }
      if line.hasPrefix("maxrss "), let k = Int(line.dropFirst(7)) { maxRSS = k * 1024 }
    }
    guard let maxRSS else { throw SentinelError("no memory figure from \(Self.timePath): '\(report)'") }
    guard status & 0x7f == 0 else { throw SentinelError("\(Self.timePath) itself died (status \(status))") }
    return Result(
      status: signal == 0 ? (status >> 8) & 0xff : -1, signal: signal,
      stdout: Self.contents(outPath), stderr: Self.contents(errPath),
      maxRSSBytes: maxRSS,
      seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
  }
}
