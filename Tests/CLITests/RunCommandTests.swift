import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// `onnx-tune run` on a model made of `If` only (its branches return outer values), so that the
/// command is tested independently of the op families.
@Suite struct RunCommandTests {
  let dir: URL
  let modelPath: String

  init() throws {
    dir = try TestData.temporaryDirectory("run")
    func graphAttribute(_ name: String, _ g: Graph) -> Attribute {
      var a = Attribute(name: name)
      a.type = Attribute.Kind.graph.rawValue
      a.g = g
      return a
    }
    let thenBranch = Graph(name: "then", outputs: [ValueInfo(name: "a", type: .tensor(.float, [.symbol("N"), .value(4)]))])
    let elseBranch = Graph(name: "else", outputs: [ValueInfo(name: "b", type: .tensor(.float, [.value(2), .value(4)]))])
    let graph = Graph(
      nodes: [
        Node(
          opType: "If", inputs: ["c"], outputs: ["y/out"], name: "if",
          attributes: [graphAttribute("then_branch", thenBranch), graphAttribute("else_branch", elseBranch)])
      ],
      name: "g",
      initializers: [TensorProto(name: "b", data: Tensor((0..<8).map { Float($0) }, shape: [2, 4]))],
      inputs: [
        ValueInfo(name: "c", type: .tensor(.bool, [])),
        ValueInfo(name: "a", type: .tensor(.float, [.symbol("N"), .value(4)])),
      ],
      outputs: [ValueInfo(name: "y/out", type: .tensor(.float, nil))])
    let model = Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 17)], graph: graph)
    modelPath = dir.appendingPathComponent("if.onnx").path
    try Data(ONNXWriter.serialize(model)).write(to: URL(fileURLWithPath: modelPath))
  }

  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

  @Test func randomBatchWritesNPYOutputs() throws {
    try NPY.write(Tensor(scalar: true), toPath: path("c.npy"))
    let out = path("out")
    let r = try CLIRunner.run([
      "run", modelPath, "--input", "c=\(path("c.npy"))", "--random", "--batch", "3", "--output-dir", out,
      "--repeat", "3", "--threads", "1", "--top-k", "2",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("output y/out: float[3,4]"))
    #expect(r.stdout.contains("top-2 row 2:"))
    #expect(r.stdout.contains("latency over 3 runs: min"))
    let y = try NPY.read(atPath: out + "/y_out.npy")
    #expect(y.shape == [3, 4])
    #expect(y.elements(as: Float.self).allSatisfy { $0 >= 0 && $0 < 1 })
    // Seeded: a second run gives the same values.
    _ = try CLIRunner.run([
      "run", modelPath, "--input", "c=\(path("c.npy"))", "--random", "--batch", "3", "--output-dir", out,
    ])
    #expect(try NPY.read(atPath: out + "/y_out.npy").isIdentical(to: y))
  }

  @Test func readsNPYAndTensorProtoInputs() throws {
    try NPY.write(Tensor(scalar: true), toPath: path("c.npy"))
    let a = Tensor((0..<4).map { Float($0) * 0.5 }, shape: [1, 4])
    try ONNXWriter.write(TensorProto(name: "a", data: a), toPath: path("a.pb"))
    let r = try CLIRunner.run([
      "run", modelPath, "--input", "c=\(path("c.npy"))", "--input", "a=\(path("a.pb"))", "--output-dir", path("o"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(try NPY.read(atPath: path("o/y_out.npy")).isIdentical(to: a))
  }

  @Test func reportsBadInputsOnOneLine() throws {
    try NPY.write(Tensor(scalar: true), toPath: path("c.npy"))
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path("bad.npy")))
    let cases: [([String], Int32, String)] = [
      (["run", modelPath], 2, "no value for inputs c (bool[]), a (float[N,4])"),
      (["run", modelPath, "--input", "zz=\(path("c.npy"))", "--random"], 2, "the model has no input 'zz'"),
      (["run", modelPath, "--input", "c=\(path("bad.npy"))", "--random"], 1, "not a .npy file"),
      (["run", modelPath, "--input", "c=\(path("c.npy"))", "--batch", "2"], 2, "--batch applies to --random"),
      (["run", modelPath, "--input", "c=\(path("c.txt"))", "--random"], 2, "expected a .npy or TensorProto .pb"),
      (["run", modelPath, "--bogus"], 2, "unknown option --bogus"),
    ]
    for (args, status, fragment) in cases {
      let r = try CLIRunner.run(args)
      #expect(r.status == status, "\(args): exit \(r.status), \(r.stderr)")
      #expect(r.stderr.contains(fragment), "\(args): \(r.stderr)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
    }
  }

  @Test func unsupportedOpNamesTheNode() throws {
    let graph = Graph(
      nodes: [Node(opType: "NoSuchOp", inputs: ["x"], outputs: ["y"], name: "weird")], name: "g",
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.value(2)]))], outputs: [ValueInfo(name: "y")])
    let p = path("weird.onnx")
    try Data(ONNXWriter.serialize(Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 17)], graph: graph)))
      .write(to: URL(fileURLWithPath: p))
    let r = try CLIRunner.run(["run", p, "--random"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("node 'weird' (NoSuchOp): unsupported op type 'NoSuchOp'; inputs: [x: float[2]]"))
  }

  /// `--profile` prints the time per op type; by default Conv and the Relu after it run fused,
  /// `--no-optimize` runs the graph as written, and both give the same outputs bit for bit.
  @Test func profileWarmupAndNoOptimize() throws {
    var r = SeededRandom(seed: 1)
    let w = Tensor((0..<(3 * 2 * 9)).map { _ in r.nextFloat() - 0.5 }, shape: [3, 2, 3, 3])
    let graph = Graph(
      nodes: [
        Node(opType: "Conv", inputs: ["x", "w"], outputs: ["c"], name: "conv", attributes: [.ints("pads", [1, 1, 1, 1])]),
        Node(opType: "Relu", inputs: ["c"], outputs: ["y"], name: "relu"),
      ],
      name: "g", initializers: [TensorProto(name: "w", data: w)],
      inputs: [ValueInfo(name: "x", type: .tensor(.float, [.symbol("N"), .value(2), .value(5), .value(5)]))],
      outputs: [ValueInfo(name: "y", type: .tensor(.float, nil))])
    let p = path("convrelu.onnx")
    try Data(ONNXWriter.serialize(Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: 17)], graph: graph)))
      .write(to: URL(fileURLWithPath: p))
    let fused = try CLIRunner.run([
      "run", p, "--random", "--batch", "2", "--profile", "--warmup", "1", "--repeat", "2", "--top-k", "0",
      "--output-dir", path("fused"),
    ])
    #expect(fused.status == 0, "\(fused.stderr)")
    #expect(fused.stdout.contains("time per op type over 2 runs (optimized graph):"), "\(fused.stdout)")
    #expect(fused.stdout.contains("  com.microsoft:FusedConv          1    "), "\(fused.stdout)")
    #expect(fused.stdout.contains("  op type                      calls   ms/run      %"), "\(fused.stdout)")
    #expect(fused.stdout.contains("latency over 2 runs"))
    let plain = try CLIRunner.run([
      "run", p, "--random", "--batch", "2", "--profile", "--no-optimize", "--top-k", "0", "--output-dir", path("plain"),
    ])
    #expect(plain.status == 0, "\(plain.stderr)")
    #expect(plain.stdout.contains("time per op type over 1 run:"), "\(plain.stdout)")
    #expect(plain.stdout.contains("  Conv  ") && plain.stdout.contains("  Relu  "), "\(plain.stdout)")
    #expect(!plain.stdout.contains("FusedConv"))
    // The slowest nodes, by name: both nodes of the plain graph.
    let nodeLines = plain.stdout.split(separator: "\n").drop { !$0.hasPrefix("slowest 2 nodes:") }.dropFirst(2).prefix(2)
    #expect(Set(nodeLines.compactMap { $0.split(separator: " ").last.map(String.init) }) == ["conv", "relu"], "\(plain.stdout)")
    let one = try CLIRunner.run(["run", p, "--random", "--profile-nodes", "1", "--no-optimize", "--top-k", "0"])
    #expect(one.status == 0 && one.stdout.contains("slowest 1 node:"), "\(one.stdout)\(one.stderr)")
    let a = try NPY.read(atPath: path("fused/y.npy"))
    let b = try NPY.read(atPath: path("plain/y.npy"))
    #expect(a.isIdentical(to: b))
    #expect(a.elements(as: Float.self).allSatisfy { $0 >= 0 })
  }

  @Test func help() throws {
    let r = try CLIRunner.run(["run", "--help"])
    #expect(r.status == 0)
    #expect(r.stdout.contains("--output-dir DIR"))
  }
}
