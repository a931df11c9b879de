import Foundation
import Testing

@testable import TuneData

/// Paths to the committed fixtures and the optional dataset cache.
enum Fixtures {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
  static let images = repository.appendingPathComponent("fixtures/images")

  static func image(_ name: String) -> String { images.appendingPathComponent(name).path }
  static func array(_ name: String) -> String { images.appendingPathComponent("arrays/\(name)").path }

  /// `$ONNX_TUNE_CACHE/datasets/<name>` (`<repo>/cache` by default; scripts/fetch-test-data.sh
  /// fills it), when present.
  static func cacheFile(_ name: String) -> String? {
    let root = ProcessInfo.processInfo.environment["ONNX_TUNE_CACHE"] ?? repository.appendingPathComponent("cache").path
    for candidate in ["datasets/\(name)", name] {
      let path = (root as NSString).appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: path) { return path }
    }
    return nil
  }

  /// Pillow's values from `expected.json` (written by make_fixtures.py).
  nonisolated(unsafe) static let expected: [String: Any] = {
    let data = try! Data(contentsOf: images.appendingPathComponent("expected.json"))
    return try! JSONSerialization.jsonObject(with: data) as! [String: Any]
  }()

  static func expectedImage(_ name: String) -> (shape: [Int], values: [Double]) {
    let entry = expected[name] as! [String: Any]
    return ((entry["shape"] as! [NSNumber]).map(\.intValue), (entry["values"] as! [NSNumber]).map(\.doubleValue))
  }

  /// A fresh temporary directory, removed by the caller.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("tunedata-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  /// Builds `root/<class>/<file>` from fixture images: `layout[class] = [fixture names]`.
  static func imageFolder(_ layout: [String: [String]], at root: URL) throws {
    for (name, files) in layout {
      let folder = root.appendingPathComponent(name)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      for (i, file) in files.enumerated() {
        try FileManager.default.copyItem(
          at: images.appendingPathComponent(file), to: folder.appendingPathComponent("\(i)-\(file)"))
      }
    }
  }
}

func maxAbsDifference(_ a: [Float], _ b: [Double]) -> Double {
  precondition(a.count == b.count, "\(a.count) vs \(b.count)")
  var m = 0.0
  for (x, y) in zip(a, b) { m = max(m, abs(Double(x) - y)) }
  return m
}
