import Foundation

/// Runs the built `onnx-tune` executable and captures its exit status and output.
public enum CLIRunner {
  public struct Result: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
  }

  /// The `onnx-tune` binary beside the test bundle (the build products folder).
  public static var executable: URL {
    get throws {
      var candidates: [URL] = []
      let argv0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
      var dir = argv0.deletingLastPathComponent()
      for _ in 0..<4 {
        candidates.append(dir.appendingPathComponent("onnx-tune"))
        dir = dir.deletingLastPathComponent()
      }
      candidates.append(TestData.repositoryRoot.appendingPathComponent(".build/debug/onnx-tune"))
      for c in candidates where FileManager.default.isExecutableFile(atPath: c.path) { return c }
      throw MissingTestData("onnx-tune executable not found near \(argv0.path); run swift build first")
    }
  }

  /// Runs `onnx-tune arguments...`, waiting for it to finish.
  public static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> Result {
    let process = Process()
    process.executableURL = try executable
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes concurrently so a full pipe never blocks the child.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
      errData = err.fileHandleForReading.readDataToEndOfFile()
      group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }
}
