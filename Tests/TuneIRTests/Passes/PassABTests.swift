import Foundation
import Testing
import TuneIR
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// A/B tests with our executor: every semantics-preserving pipeline gives the same outputs as
/// the original model, on every fixture (and on the synthetic PyTorch-style graph).
@Suite struct PassABTests {
  /// Reads a little-endian float32 `.npy` file (the fixtures' inputs and reference outputs).
  static func readNPY(_ path: String) throws -> Tensor {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    guard bytes.count > 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else {
      throw MissingTestData("\(path) is not a .npy file")
    }
    let major = bytes[6]
    let headerLength = major == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8 : Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
    let start = major == 1 ? 10 : 12
    let header = String(decoding: bytes[start..<(start + headerLength)], as: UTF8.self)
    guard header.contains("'<f4'"), !header.contains("'fortran_order': True") else {
      throw MissingTestData("\(path): only C-order float32 is read here")
    }
    let shapeText = header.split(separator: "(")[1].split(separator: ")")[0]
    let shape = shapeText.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    let body = Array(bytes[(start + headerLength)...])
    let values = body.withUnsafeBytes { raw in (0..<(body.count / 4)).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
    return Tensor(values, shape: shape)
  }

  static func run(_ model: Model, _ input: Tensor) throws -> Tensor {
    let session = try InferenceSession(model: model)
    return try session.runOrdered([session.inputs[0].name: input])[0]
  }

  static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
    zip(a.floatValues(), b.floatValues()).map { abs($0 - $1) }.max() ?? 0
  }

  @Test(arguments: FixtureModels.all)
  func pipelinesPreserveOutputs(fixture: String) throws {
    let original = try FixtureModels.load(fixture)
    let base = TestData.fixtures.appendingPathComponent("models/\(fixture)").path
    let input = try Self.readNPY(base + ".input.npy")
    let expected = try Self.readNPY(base + ".ort_output.npy")
    let a = try Self.run(original, input)
    #expect(a.shape == expected.shape)
    #expect(Self.maxDifference(a, expected) <= 1e-4)
    let single: [(String, [any GraphPass])] = [
      ("promote", [PromoteConstantsToInitializers()]), ("identity", [IdentityRemoval()]), ("fold", [ShapeConstantFolding()]),
      ("dce", [DeadNodeElimination()]), ("dropout", [DropoutRemoval()]), ("bnfold", [BatchNormFolding()]),
    ]
    // The session's own inference rewrites (BatchNorm folding, Conv fusion).
    let optimized = try InferenceSession(model: original, optimize: true)
    let o = try optimized.runOrdered([optimized.inputs[0].name: input])[0]
    #expect(o.shape == a.shape)
    #expect(Self.maxDifference(a, o) <= 1e-4, "\(fixture) optimized session: max diff \(Self.maxDifference(a, o))")
    for (label, passes) in single + [("simplify", SimplificationPassTests.simplify), ("deploy", SimplificationPassTests.deploy)] {
      var model = original
      try PassDriver.run(passes, on: &model)
      let b = try Self.run(model, input)
      #expect(b.shape == a.shape, "\(label)")
      #expect(Self.maxDifference(a, b) <= 1e-4, "\(fixture) \(label): max diff \(Self.maxDifference(a, b))")
    }
  }

  @Test func syntheticGraphAB() throws {
    let original = SyntheticModels.pytorchStyle()
    var r = SeededRandom(seed: 3)
    let input = Tensor((0..<(2 * 3 * 8 * 8)).map { _ in r.nextFloat() * 2 - 1 }, shape: [2, 3, 8, 8])
    let a = try Self.run(original, input)
    #expect(a.shape == [2, 5])
    let single: [[any GraphPass]] = [
      [IdentityRemoval()], [ShapeConstantFolding()], [DropoutRemoval()], [BatchNormFolding()], [DeadNodeElimination()],
    ]
    for passes in single + [SimplificationPassTests.simplify, SimplificationPassTests.deploy] {
      var model = original
      try PassDriver.run(passes, on: &model)
      #expect(model != original || passes.count == 1 && passes[0] is DeadNodeElimination)
      let b = try Self.run(model, input)
      // Folded BatchNorm agrees with the unfolded one within 1e-4.
      #expect(Self.maxDifference(a, b) <= 1e-4)
    }
  }

  @Test(arguments: FixtureModels.all)
  func newHeadsRun(fixture: String) throws {
    let (model, _) = try ReplaceClassifierHeadTests.replaced(fixture)
    let base = TestData.fixtures.appendingPathComponent("models/\(fixture)").path
    let out = try Self.run(model, try Self.readNPY(base + ".input.npy"))
    #expect(out.shape == [2, 5])
    let finite = out.floatValues().allSatisfy { $0.isFinite }
    #expect(finite)
  }
}
