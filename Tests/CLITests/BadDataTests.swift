import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTestSupport

/// `finetune` on image folders as users have them: corrupt files mixed in, mixed sizes and
/// colour types, non-ASCII names, symbolic links (to images, to folders, dangling, loops), a
/// class with one image, hidden files, an empty class folder.
///
/// What each case does (a demanding user's expectation):
/// - an unreadable file (truncated JPEG, garbage `.png`, zero-byte file, text named `.jpg`,
///   dangling link) is skipped: a warning names it when first met, and the final report lists
///   every one with its reason; training goes on;
/// - sizes and colour types (gray, gray + alpha, RGB, RGBA, palette, 16-bit, CMYK) are
///   converted to the model's input (resized, channels converted);
/// - non-ASCII folder and file names work and are kept in the exported class names;
/// - links are followed (to images, to folders; a class folder may be a link); a link loop, or a
///   link to the data folder or to another class, is not followed;
/// - hidden files and folders (`.DS_Store`, `.cache/`) are ignored;
/// - a class with one image trains (the stratified split puts it in training; a note says the
///   validation split has none of it); a class whose every image is unreadable trains with a
///   warning that the model never saw it;
/// - an empty class folder stops before training with an error naming it.
@Suite(.serialized) struct BadDataTests {
  static let images = TestData.fixtures.appendingPathComponent("images")

  /// Copies `count` demo digits of class `digit` into `folder` (created), file names prefixed.
  static func digits(_ digit: Int, _ count: Int, into folder: URL, prefix: String = "") throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let source = Fault.demoTrain.appendingPathComponent(String(digit))
    for f in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted().prefix(count) {
      try FileManager.default.copyItem(at: source.appendingPathComponent(f), to: folder.appendingPathComponent(prefix + f))
    }
  }

  static func fixture(_ name: String, into folder: URL, as target: String? = nil) throws {
    try FileManager.default.copyItem(at: images.appendingPathComponent(name), to: folder.appendingPathComponent(target ?? name))
  }

  @Test func mixedBadDataTrainsAndReportsEveryFile() throws {
    let root = try TestData.temporaryDirectory("baddata")
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("data")
    let cafe = data.appendingPathComponent("caté")
    let shuzi = data.appendingPathComponent("数字")
    try Self.digits(6, 8, into: cafe)
    try Self.digits(7, 8, into: shuzi, prefix: "ü-")
    try Self.digits(5, 1, into: data.appendingPathComponent("one"))
    try Self.digits(8, 4, into: root.appendingPathComponent("elsewhere/eights"))
    try Self.digits(9, 6, into: root.appendingPathComponent("photos9"))
    // Corrupt files, mixed sizes and colour types.
    for name in ["rgb.png", "rgba.png", "truncated.jpg", "gray16.png"] { try Self.fixture(name, into: cafe) }
    for name in ["gray.jpg", "cmyk.jpg", "palette.png", "gray_alpha.png"] { try Self.fixture(name, into: shuzi) }
    try Data().write(to: cafe.appendingPathComponent("zero.jpg"))
    try Data("hello, not an image\n".utf8).write(to: cafe.appendingPathComponent("text.jpg"))
    try Data((0..<300).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }).write(to: cafe.appendingPathComponent("garbage.png"))
    try Data("x".utf8).write(to: cafe.appendingPathComponent(".DS_Store"))
    try Self.fixture("rgb.png", into: data.appendingPathComponent(".cache", isDirectory: true).creatingFolder(), as: "hidden.png")
    try Data("notes".utf8).write(to: data.appendingPathComponent("README.txt"))
    // Links: to an image, to a folder of images, dangling, a loop, to the data folder, to
    // another class, and a class folder that is a link.
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("link.png").path, withDestinationPath: "../../elsewhere/eights/" + (try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("elsewhere/eights").path).sorted()[0]))
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("more").path, withDestinationPath: root.appendingPathComponent("elsewhere/eights").path)
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("dangling.png").path, withDestinationPath: "/nonexistent/missing.png")
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("loop").path, withDestinationPath: ".")
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("up").path, withDestinationPath: "..")
    try FileManager.default.createSymbolicLink(atPath: shuzi.appendingPathComponent("other-class").path, withDestinationPath: "../caté")
    try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("linked").path, withDestinationPath: root.appendingPathComponent("photos9").path)

    let out = root.appendingPathComponent("tuned.onnx").path
    let r = try Fault.run(
      ["finetune", Fault.demoModel, "--data", data.path, "--epochs", "2", "--batch-size", "4", "--out", out], killAfter: 300)
    #expect(!r.killed, "finetune hung (a link loop?)")
    #expect(r.status == 0, "\(r.stderr)")
    // Classes: the four folders (the link included), no hidden or plain-file entries.
    #expect(r.stdout.contains("for 4 classes (caté, linked, one, 数字)"), "\(r.stdout)")
    // caté: 8 + 4 + 3 unreadable = 15; linked: 6; one: 1; 数字: 8 + 4 + link.png + 4 (more/) +
    // dangling.png = 18. Validation (stratified, 0.2): 3 + 1 + 0 + 4.
    #expect(r.stdout.contains("32 training and 8 validation samples"), "\(r.stdout)")
    #expect(r.stdout.contains("Note: class 'one' has 1 sample"), "\(r.stdout)")
    let expectedBad: [(String, String)] = [
      ("caté/garbage.png", "not a PNG or JPEG image"),
      ("caté/text.jpg", "not a PNG or JPEG image"),
      ("caté/truncated.jpg", "premature end of JPEG data (truncated file)"),
      ("caté/zero.jpg", "empty file (0 bytes)"),
      ("数字/dangling.png", "No such file or directory"),
    ]
    #expect(r.stdout.contains("Bad data: skipped \(expectedBad.count) unreadable files:"), "\(r.stdout)")
    let reportLines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("  /") }
    #expect(reportLines.count == expectedBad.count, "\(reportLines)")
    for (file, reason) in expectedBad {
      let path = data.appendingPathComponent(file).path
      #expect(reportLines.contains { $0.contains(path) && $0.contains(reason) }, "report lacks \(file): \(reason)\n\(r.stdout)")
      #expect(r.stderr.contains("warning: skipping \(path): "), "no warning for \(file)")
    }
    for never in [".DS_Store", "hidden.png", "README", "/loop/", "/up/", "/other-class/"] {
      #expect(!r.stdout.contains(never) && !r.stderr.contains(never), "\(never) was listed")
    }
    let tuned = try ONNXReader.readModel(atPath: out)
    let names = try JSONSerialization.jsonObject(with: Data((tuned.metadata("onnx_tune.class_names") ?? "").utf8)) as? [String]
    #expect(names == ["caté", "linked", "one", "数字"])
    // It evaluates on the same folder, reporting the same bad files.
    let e = try Fault.run(["evaluate", out, "--data", data.path, "--json"])
    #expect(e.status == 0, "\(e.stderr)")
  }

  @Test func threeChannelModelTakesEveryColourTypeAndSize() throws {
    let root = try TestData.temporaryDirectory("colours")
    defer { try? FileManager.default.removeItem(at: root) }
    let a = root.appendingPathComponent("data/gray and alpha")
    let b = root.appendingPathComponent("data/colour")
    try FileManager.default.createDirectory(at: a, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
    for name in ["gray.png", "gray.jpg", "gray16.png", "gray_alpha.png", "bilevel.png"] { try Self.fixture(name, into: a) }
    for name in ["rgb.png", "rgba.png", "rgb16.png", "palette.png", "palette_trns.png", "cmyk.jpg", "progressive.jpg", "exif6.jpg"] {
      try Self.fixture(name, into: b)
    }
    try Self.digits(5, 2, into: b)  // 28×28 gray among larger colour images
    let model = TestData.fixtures.appendingPathComponent("models/tf_style_nhwc.onnx").path
    let out = root.appendingPathComponent("t.onnx").path
    let r = try Fault.run(["finetune", model, "--data", root.appendingPathComponent("data").path, "--epochs", "2", "--batch-size", "4", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(!r.stdout.contains("Bad data"), "\(r.stdout)")
    #expect(r.stdout.contains("12 training and 3 validation samples"), "\(r.stdout)")
  }

  @Test func emptyClassFolderStopsBeforeTraining() throws {
    let root = try TestData.temporaryDirectory("emptyclass")
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("data")
    try Self.digits(5, 4, into: data.appendingPathComponent("five"))
    try Self.digits(6, 4, into: data.appendingPathComponent("six"))
    let empty = data.appendingPathComponent("empty")
    try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
    try Data("x".utf8).write(to: empty.appendingPathComponent(".DS_Store"))
    let r = try Fault.run(["finetune", Fault.demoModel, "--data", data.path, "--epochs", "1", "--out", root.appendingPathComponent("t.onnx").path])
    #expect(r.status == 1)
    #expect(r.stderr.contains(empty.path) && r.stderr.contains("has no images"), "\(r.stderr)")
    #expect(!r.stdout.contains("Epoch"))
  }

  @Test func classesWithOneImageOrOnlyUnreadableImages() throws {
    let root = try TestData.temporaryDirectory("tinyclass")
    defer { try? FileManager.default.removeItem(at: root) }
    let data = root.appendingPathComponent("data")
    // Every class has one image: the validation split is empty, training still runs.
    try Self.digits(5, 1, into: data.appendingPathComponent("five"))
    try Self.digits(6, 1, into: data.appendingPathComponent("six"))
    var r = try Fault.run(["finetune", Fault.demoModel, "--data", data.path, "--epochs", "2", "--out", root.appendingPathComponent("a.onnx").path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("2 training and 0 validation samples"), "\(r.stdout)")
    #expect(r.stdout.contains("the validation split is empty"), "\(r.stdout)")
    #expect(!r.stdout.contains("Validation accuracy"), "\(r.stdout)")
    #expect(r.stdout.contains("Note: class 'five' has 1 sample") && r.stdout.contains("Note: class 'six' has 1 sample"))
    // A class whose only images cannot be read: training goes on, with a warning naming it.
    let broken = data.appendingPathComponent("broken")
    try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
    try Data("text".utf8).write(to: broken.appendingPathComponent("a.jpg"))
    try Data().write(to: broken.appendingPathComponent("b.png"))
    r = try Fault.run(["finetune", Fault.demoModel, "--data", data.path, "--epochs", "1", "--val-split", "0", "--out", root.appendingPathComponent("b.onnx").path])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("class 'broken' has no readable training image"), "\(r.stderr)")
    #expect(r.stdout.contains("Bad data: skipped 2 unreadable files:"), "\(r.stdout)")
  }

  @Test func everyImageUnreadableIsAClearError() throws {
    let root = try TestData.temporaryDirectory("allbad")
    defer { try? FileManager.default.removeItem(at: root) }
    for c in ["a", "b"] {
      let folder = root.appendingPathComponent("data/" + c)
      try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
      try Data("text".utf8).write(to: folder.appendingPathComponent("x.jpg"))
      try Data().write(to: folder.appendingPathComponent("y.png"))
    }
    let r = try Fault.run(["finetune", Fault.demoModel, "--data", root.appendingPathComponent("data").path, "--epochs", "1", "--out", root.appendingPathComponent("t.onnx").path])
    #expect(r.status == 1)
    #expect(r.stderr.contains("no sample of the data set could be read"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("t.onnx").path))
  }
}

extension URL {
  /// Creates this folder (and its parents); returns it.
  fileprivate func creatingFolder() throws -> URL {
    try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
    return self
  }
}
