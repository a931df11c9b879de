import Foundation
import Testing
import TuneTestSupport

/// The committed protobuf-c code is exactly what `proto/regenerate.sh` produces from
/// `proto/onnx.proto` (checked when `protoc-c` is installed).
@Suite struct GeneratedCodeTests {
  static var protocC: String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
      let p = "\(dir)/protoc-c"
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return nil
  }

  @Test(.enabled(if: protocC != nil, "protoc-c is not installed"))
  func committedCodeMatchesRegeneration() throws {
    let root = TestData.repositoryRoot
    let out = try TestData.temporaryDirectory("regen")
    defer { try? FileManager.default.removeItem(at: out) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [root.appendingPathComponent("proto/regenerate.sh").path, out.path]
    try p.run()
    p.waitUntilExit()
    #expect(p.terminationStatus == 0)
    for file in ["onnx.pb-c.c", "include/onnx.pb-c.h"] {
      let fresh = try Data(contentsOf: out.appendingPathComponent(file))
      let committed = try Data(contentsOf: root.appendingPathComponent("Sources/COnnxProto/\(file)"))
      #expect(fresh == committed, "Sources/COnnxProto/\(file) differs from a fresh proto/regenerate.sh")
    }
  }
}
