import Foundation

/// Locations of the repository, its fixtures and the git-ignored cache of test data that
/// `scripts/fetch-test-data.sh` fills (ONNX backend tests, datasets).
public enum TestData {
  /// The repository root (found from this file's path).
  public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// `$ONNX_TUNE_CACHE`, or `<repo>/cache`.
  public static var cacheDirectory: URL {
    if let env = ProcessInfo.processInfo.environment["ONNX_TUNE_CACHE"], !env.isEmpty {
      return URL(fileURLWithPath: env)
    }
    return repositoryRoot.appendingPathComponent("cache")
  }

  /// `<repo>/fixtures`.
  public static var fixtures: URL { repositoryRoot.appendingPathComponent("fixtures") }

  /// The ONNX backend test data of onnx==1.22.0 (`node`, `simple`, `light`, ...).
  public static var backendData: URL {
    cacheDirectory.appendingPathComponent("onnx-1.22.0/onnx/backend/test/data")
  }

  /// Fails with a clear message when the cache has not been filled.
  public static func requireBackendData() throws -> URL {
    let node = backendData.appendingPathComponent("node")
    guard FileManager.default.fileExists(atPath: node.path) else {
      throw MissingTestData(
        "ONNX backend test data not found at \(node.path); run scripts/fetch-test-data.sh (or set ONNX_TUNE_CACHE)")
    }
    return backendData
  }

  /// Every `model.onnx` under the given backend-data subfolders, sorted.
  public static func backendModels(in folders: [String]) throws -> [URL] {
    let root = try requireBackendData()
    var out: [URL] = []
    for folder in folders {
      let dir = root.appendingPathComponent(folder)
      guard let cases = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { continue }
      for c in cases.sorted() {
        let model = dir.appendingPathComponent(c).appendingPathComponent("model.onnx")
        if FileManager.default.fileExists(atPath: model.path) { out.append(model) }
      }
    }
    return out
  }

  /// Factor for the time bounds of the size tests: `$ONNX_TUNE_TEST_TIME_SCALE` (default 1).
  /// scripts/sanitize.sh sets it, since sanitized code runs several times slower.
  public static let timeScale: Double = {
    if let s = ProcessInfo.processInfo.environment["ONNX_TUNE_TEST_TIME_SCALE"], let v = Double(s), v > 0 { return v }
    return 1
  }()

  /// Factor for the memory bounds of the CLI tests: `$ONNX_TUNE_TEST_MEMORY_SCALE` (default 1);
  /// scripts/sanitize.sh sets it, since ASan's redzones and quarantine add to every process.
  public static let memoryScale: Int = {
    if let s = ProcessInfo.processInfo.environment["ONNX_TUNE_TEST_MEMORY_SCALE"], let v = Int(s), v > 0 { return v }
    return 1
  }()

  /// `seconds` times `timeScale`.
  public static func timeBound(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * timeScale * 1000)) }

  /// A fresh temporary directory, removed by the caller with `FileManager.removeItem`.
  public static func temporaryDirectory(_ label: String = "onnx-tune-test") throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// Thrown when a test needs data that has not been fetched.
public struct MissingTestData: Error, CustomStringConvertible {
  public var description: String
  public init(_ description: String) { self.description = description }
}
