import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor
import TuneTestSupport

/// Malicious models through the runtime (issue 9, item 2): planning and running give an
/// `ExecutionError` naming the node and what was expected; nothing crashes, loops or allocates
/// past `TensorLimits.maxBytes` (2^34 bytes a tensor by default).
@Suite struct MaliciousModelRunTests {
  /// The error message from planning and running `model` on `inputs`, or nil when it ran.
  static func failure(_ model: Model, _ inputs: [String: Tensor] = [:]) -> String? {
    do {
      let session = try InferenceSession(model: model)
      _ = try session.run(inputs)
      return nil
    } catch {
      return "\(error)"
    }
  }

  static func expectFailure(
    _ model: Model, _ inputs: [String: Tensor] = [:], contains fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    guard let m = failure(model, inputs) else {
      Issue.record("expected an error containing \(fragments)", sourceLocation: sourceLocation)
      return
    }
    for f in fragments { #expect(m.contains(f), "'\(m)' lacks '\(f)'", sourceLocation: sourceLocation) }
    #expect(!m.contains("\n"), sourceLocation: sourceLocation)
  }

  static let x13 = ["x": Tensor([Float(1), -2, 3], shape: [1, 3])]

  // MARK: - Graph structure (built in memory: the reader refuses these files already)

  @Test func cyclesAndDuplicatesAreRefusedByThePlan() {
    Self.expectFailure(MaliciousModels.cycle(), Self.x13, contains: ["cycle", "'A'", "'B'"])
    Self.expectFailure(MaliciousModels.selfLoop(), Self.x13, contains: ["cycle", "'loop'"])
    Self.expectFailure(MaliciousModels.longCycle(), Self.x13, contains: ["cycle", "'A'", "'B'", "'C'"])
    Self.expectFailure(MaliciousModels.duplicateNodeOutputs(), Self.x13, contains: ["node 'second' (Neg)", "'y'", "'first'"])
    Self.expectFailure(MaliciousModels.outputShadowsInitializer(), Self.x13, contains: ["node 'shadow' (Relu)", "'W'"])
    Self.expectFailure(MaliciousModels.outputShadowsInput(), Self.x13, contains: ["node 'overwrite' (Relu)", "'x'"])
  }

  /// A graph output listed twice is accepted, as onnx.checker and onnxruntime accept it: it is
  /// one value, computed once.
  @Test func aGraphOutputListedTwiceIsOneValue() throws {
    var m = MaliciousModels.chain(count: 3)
    m.graph!.outputs.append(MaliciousModels.output("y"))
    let session = try InferenceSession(model: try MaliciousModelTests_roundTrip(m))
    let out = try session.run(["x": Tensor([Float(1), -2, 3, 4], shape: [1, 4])])
    #expect(out["y"]?.elements(as: Float.self) == [1, -2, 3, 4])
  }

  @Test func theValidatorAgreesWithThePlan() {
    for m in [MaliciousModels.cycle(), MaliciousModels.selfLoop(), MaliciousModels.longCycle(),
      MaliciousModels.duplicateNodeOutputs(), MaliciousModels.outputShadowsInitializer(), MaliciousModels.outputShadowsInput()]
    {
      #expect(throws: GraphError.self) { try GraphValidation.validate(m.graph!) }
    }
    #expect(throws: Never.self) { try GraphValidation.validate(MaliciousModels.chain(count: 10).graph!) }
  }

  // MARK: - Size

  /// A long chain plans and runs iteratively (no recursion over nodes); the CLI test and the
  /// report measure a million in release.
  @Test func aLongChainPlansAndRuns() throws {
    let count = 300_000
    var model = MaliciousModels.chain(count: count)
    let x = Tensor([Float(1), 2, 3, 4], shape: [1, 4])
    let start = ContinuousClock.now
    let y = try InferenceSession(model: model).run(["x": x])["y"]
    #expect(y.map { $0.elements(as: Float.self) } == [1, 2, 3, 4])
    // Reversed file order: the plan's Kahn path.
    model.graph!.nodes.reverse()
    let y2 = try InferenceSession(model: model).run(["x": x])["y"]
    #expect(y2.map { $0.elements(as: Float.self) } == [1, 2, 3, 4])
    #expect(ContinuousClock.now - start < TestData.timeBound(300))
  }

  @Test func hugeAttributeListsGiveAnErrorOrRun() throws {
    // A perm of a million axes for a 2-D input: an error naming the node.
    Self.expectFailure(MaliciousModels.hugePerm(count: 1_000_000), ["x": Tensor(zeros: .float, shape: [2, 3])], contains: ["'transpose' (Transpose)", "perm"])
    // 100,000 attributes the op does not know, one with 4 million ints: ignored, the op runs.
    let m = MaliciousModels.hugeAttributes(ints: 4_000_000, attributes: 100_000)
    let y = try InferenceSession(model: m).run(Self.x13)["y"]
    #expect(y?.elements(as: Float.self) == [1, 0, 3])
  }

  // MARK: - Element types

  @Test(arguments: ["Add", "Mul", "MatMul", "Conv", "Relu", "Sigmoid", "Softmax", "Gemm", "Div", "Pow"])
  func stringTensorsWhereNumbersAreExpected(op: String) {
    // Built in memory and read back from its bytes: both must be refused by the op.
    let model = MaliciousModels.stringOperand(op)
    let x = ["x": op == "Conv" ? Tensor(zeros: .float, shape: [1, 1, 3, 1]) : Tensor(zeros: .float, shape: [1, 3])]
    Self.expectFailure(model, x, contains: ["node 'uses_strings' (\(op))", "string"])
    guard let read = try? MaliciousModelTests_roundTrip(model) else {
      Issue.record("the model with a string initializer does not read back")
      return
    }
    Self.expectFailure(read, x, contains: ["node 'uses_strings' (\(op))", "string"])
  }

  @Test func aStringTensorReadFromAFileIsRefusedByArithmetic() throws {
    let model = try MaliciousModelTests_roundTrip(MaliciousModels.stringOperand("Add"))
    Self.expectFailure(model, ["x": Tensor(zeros: .float, shape: [1, 3])], contains: ["node 'uses_strings' (Add)", "string"])
  }

  // MARK: - Zero-size tensors

  static func run(_ nodes: [Node], inputs: [String: Tensor], initializers: [TensorProto] = [], outputs: [String]) throws -> [String: Tensor] {
    let graph = Graph(
      nodes: nodes, name: "zero", initializers: initializers,
      inputs: inputs.keys.sorted().map { ValueInfo(name: $0) }, outputs: outputs.map { ValueInfo(name: $0) })
    let model = try MaliciousModelTests_roundTrip(MaliciousModels.model(graph))
    return try InferenceSession(model: model).run(inputs)
  }

  @Test func zeroSizeTensorsFlowThroughCommonOps() throws {
    let e = Tensor(zeros: .float, shape: [0, 4])
    let img = Tensor(zeros: .float, shape: [0, 2, 5, 5])
    var conv = Node(opType: "Conv", inputs: ["img", "K", "Kb"], outputs: ["conv"], name: "conv")
    conv.attributes = [.ints("kernel_shape", [3, 3]), .ints("pads", [1, 1, 1, 1])]
    var pool = Node(opType: "MaxPool", inputs: ["conv"], outputs: ["pool"], name: "pool")
    pool.attributes = [.ints("kernel_shape", [2, 2])]
    var reduce = Node(opType: "ReduceSum", inputs: ["e", "axes"], outputs: ["sum0"], name: "sum0")
    reduce.attributes = [.int("keepdims", 0)]
    var softmax = Node(opType: "Softmax", inputs: ["e"], outputs: ["soft"], name: "soft")
    softmax.attributes = [.int("axis", -1)]
    var concat = Node(opType: "Concat", inputs: ["e", "w4"], outputs: ["cat"], name: "cat")
    concat.attributes = [.int("axis", 0)]
    var transpose = Node(opType: "Transpose", inputs: ["e"], outputs: ["tr"], name: "tr")
    transpose.attributes = [.ints("perm", [1, 0])]
    var gemm = Node(opType: "Gemm", inputs: ["e", "W", "b"], outputs: ["gemm"], name: "gemm")
    gemm.attributes = [.int("transB", 0)]
    let nodes = [
      Node(opType: "Add", inputs: ["e", "row"], outputs: ["add"], name: "add"),
      Node(opType: "Relu", inputs: ["add"], outputs: ["relu"], name: "relu"),
      Node(opType: "MatMul", inputs: ["e", "W"], outputs: ["mm"], name: "mm"),
      gemm, conv, pool, reduce, softmax, concat, transpose,
      Node(opType: "Flatten", inputs: ["img"], outputs: ["flat"], name: "flat"),
      Node(opType: "Reshape", inputs: ["e", "shape"], outputs: ["reshaped"], name: "reshape"),
      Node(opType: "GlobalAveragePool", inputs: ["img"], outputs: ["gap"], name: "gap"),
      Node(opType: "Cast", inputs: ["e"], outputs: ["cast"], name: "cast", attributes: [.int("to", 7)]),
    ]
    let inits = [
      TensorProto(name: "row", data: Tensor([Float](repeating: 1, count: 4), shape: [4])),
      TensorProto(name: "W", data: Tensor([Float](repeating: 1, count: 12), shape: [4, 3])),
      TensorProto(name: "b", data: Tensor([Float](repeating: 1, count: 3), shape: [3])),
      TensorProto(name: "K", data: Tensor([Float](repeating: 1, count: 54), shape: [3, 2, 3, 3])),
      TensorProto(name: "Kb", data: Tensor([Float](repeating: 0, count: 3), shape: [3])),
      TensorProto(name: "axes", data: Tensor([Int64(0)], shape: [1])),
      TensorProto(name: "w4", data: Tensor([Float](repeating: 2, count: 4), shape: [1, 4])),
      TensorProto(name: "shape", data: Tensor([Int64(2), 0, -1], shape: [3])),
    ]
    let outs = try Self.run(
      nodes, inputs: ["e": e, "img": img], initializers: inits,
      outputs: ["relu", "mm", "gemm", "conv", "pool", "sum0", "soft", "cat", "tr", "flat", "reshaped", "gap", "cast"])
    let shapes = outs.mapValues(\.shape)
    #expect(shapes["relu"] == [0, 4])
    #expect(shapes["mm"] == [0, 3])
    #expect(shapes["gemm"] == [0, 3])
    #expect(shapes["conv"] == [0, 3, 5, 5])
    #expect(shapes["pool"] == [0, 3, 4, 4])
    #expect(shapes["sum0"] == [4])
    #expect(outs["sum0"]?.elements(as: Float.self) == [0, 0, 0, 0])  // NumPy: a sum over no rows is 0
    #expect(shapes["soft"] == [0, 4])
    #expect(shapes["cat"] == [1, 4])
    #expect(outs["cat"]?.elements(as: Float.self) == [2, 2, 2, 2])
    #expect(shapes["tr"] == [4, 0])
    #expect(shapes["flat"] == [0, 50])
    #expect(shapes["reshaped"] == [2, 4, 0])  // allowzero=0: the 0 copies dim 1 (4); -1 takes the 0
    #expect(shapes["gap"] == [0, 2, 1, 1])
    #expect(shapes["cast"] == [0, 4] && outs["cast"]?.dtype == .int64)
  }

  // MARK: - Memory limits

  @Test func hugeOutputsFailNamingTheLimitAndTheNode() {
    let x11 = ["x": Tensor([Float(1)], shape: [1, 1])]
    let x1 = ["x": Tensor([Float(1)], shape: [1])]
    Self.expectFailure(MaliciousModels.constantOfShape([1 << 40]), x1, contains: ["node 'huge_constant' (ConstantOfShape)", "too large", "ONNX_TUNE_MAX_TENSOR_BYTES"])
    // 2^40 elements, each dim harmless on its own.
    Self.expectFailure(MaliciousModels.constantOfShape([1 << 20, 1 << 20]), x1, contains: ["'huge_constant'", "too large"])
    Self.expectFailure(MaliciousModels.constantOfShape([-5]), x1, contains: ["'huge_constant'", "negative"])
    Self.expectFailure(MaliciousModels.constantOfShape([1 << 62, 1 << 62]), x1, contains: ["'huge_constant'"])
    Self.expectFailure(MaliciousModels.growing("Expand", [1 << 20, 1 << 20]), x11, contains: ["node 'huge_expand' (Expand)", "too large"])
    Self.expectFailure(MaliciousModels.growing("Tile", [1 << 30, 1 << 30]), x11, contains: ["node 'huge_tile' (Tile)", "too large"])
    Self.expectFailure(MaliciousModels.growing("Tile", [1 << 62, 4]), x11, contains: ["node 'huge_tile' (Tile)", "[4611686018427387904, 4] is too large"])
    // [2^18, 1] + [1, 2^18] floats: 2^36 elements from two 1 MiB initializers.
    Self.expectFailure(MaliciousModels.broadcastBlowUp(1 << 18), x1, contains: ["node 'outer_sum' (Add)", "limit of", "bytes per tensor"])
  }

  @Test func hugeOutputsOfOtherGeneratingOps() throws {
    Self.expectFailure(MaliciousModels.range(limit: 1 << 40), contains: ["node 'huge_range' (Range)", "too large"])
    let x11 = ["x": Tensor(zeros: .float, shape: [1, 1])]
    Self.expectFailure(MaliciousModels.pad([0, 1 << 40, 0, 0]), x11, contains: ["node 'huge_pad' (Pad)", "too large"])
    Self.expectFailure(MaliciousModels.oneHot(depth: 1 << 31), contains: ["node 'huge_onehot' (OneHot)", "too large"])
    // Within the limits, the same models run.
    let r = try InferenceSession(model: MaliciousModels.range(limit: 5)).run([:])["r"]
    #expect(r?.elements(as: Int64.self) == [0, 1, 2, 3, 4])
    let p = try InferenceSession(model: MaliciousModels.pad([0, 2, 0, 1])).run(x11)["p"]
    #expect(p?.shape == [1, 4])
    let o = try InferenceSession(model: MaliciousModels.oneHot(depth: 3)).run([:])["o"]
    #expect(o?.shape == [64, 3])
  }
}

extension MaliciousModelRunTests {
  /// Resize computes every size first and checks the output, the buffers between axes and its
  /// tables before building any: a scale of 1e6 on [1, 1, 4, 4] built two 4-million-entry tables
  /// (11 s and 216 MiB in a debug build) before its output check failed.
  @Test func resizeChecksItsOutputBeforeBuildingTables() {
    let x = ["x": Tensor(zeros: .float, shape: [1, 1, 4, 4])]
    let start = ContinuousClock.now
    Self.expectFailure(
      MaliciousModels.resize(scale: 1e6), x,
      contains: [
        "node 'huge_resize' (Resize)",
        "output is too large: float [1, 1, 4000000, 4000000] needs 64000000000000 bytes, over the limit of \(TensorLimits.maxBytes) bytes per tensor (ONNX_TUNE_MAX_TENSOR_BYTES)",
      ])
    let elapsed = ContinuousClock.now - start
    #expect(elapsed < TestData.timeBound(0.5), "refused in \(elapsed)")
    // Under the byte limit (8 GiB of floats) but over Resize's 2^31 elements (2^31 + 2^20).
    Self.expectFailure(
      MaliciousModels.resize(scales: [1, 2049], input: [1 << 20, 1]),
      ["x": Tensor(zeros: .float, shape: [1 << 20, 1])],
      contains: ["node 'huge_resize' (Resize)", "output [1048576, 2049] is too large: over 2147483648 elements"])
  }

  /// The kernel resizes one axis after another: growing axis 2 by 2e8 before shrinking axis 3
  /// to a quarter needs a [1, 1, 8e8, 4] buffer (3.2e9 elements) on the way to a [1, 1, 8e8, 1]
  /// output that is within the limits.
  @Test func resizeChecksTheBufferBetweenAxes() {
    Self.expectFailure(
      MaliciousModels.resize(scales: [1, 1, 2e8, 0.25], input: [1, 1, 4, 4]),
      ["x": Tensor(zeros: .float, shape: [1, 1, 4, 4])],
      contains: ["node 'huge_resize' (Resize)", "the buffer after resizing axis 2 [1, 1, 800000000, 4] is too large: over 2147483648 elements"])
  }

  /// An antialiased downscale has a footprint of about 2/scale taps per output: an empty input
  /// of shape [0, 2^40] resized to [0, 1] asked for a 2^41-tap table (and an array of 2^41
  /// coefficients) before it could find its output empty.
  @Test func resizeChecksItsTablesBeforeBuildingThem() {
    let x = ["x": Tensor(zeros: .float, shape: [0, 1 << 40])]
    Self.expectFailure(
      MaliciousModels.resize(sizes: [0, 1], input: [0, 1 << 40], attributes: [.string("mode", "linear"), .int("antialias", 1)]),
      x, contains: ["node 'huge_resize' (Resize)", "the resize table of axis 1 (1 outputs) with 2199023255552 taps each is too large", "ONNX_TUNE_MAX_TENSOR_BYTES"])
  }

  /// keep_aspect_ratio_policy applied one axis's scale to the others: an empty axis gave 0/0 (a
  /// NaN scale, then `Int(NaN)` trapped) and a long empty axis a size past Int (a trap too).
  @Test func resizeKeepsTheAspectRatioOfEmptyAndLongAxes() throws {
    let empty = MaliciousModels.resize(
      sizes: [0, 2], input: [0, 4], attributes: [.string("keep_aspect_ratio_policy", "not_larger")])
    let r = try InferenceSession(model: empty).run(["x": Tensor(zeros: .float, shape: [0, 4])])["r"]
    #expect(r?.shape == [0, 2])
    let long = MaliciousModels.resize(
      sizes: [1 << 30, 1], input: [0, 1, 1 << 40],
      attributes: [.string("keep_aspect_ratio_policy", "not_smaller"), .ints("axes", [1, 2])])
    Self.expectFailure(
      long, ["x": Tensor(zeros: .float, shape: [0, 1, 1 << 40])],
      contains: ["node 'huge_resize' (Resize)", "keep_aspect_ratio_policy not_smaller give axis 2 a size of", "over 2^31"])
  }

  /// Broadcasting checks the limit at the element size of what the op allocates, not at one
  /// byte an element: [2^17, 1] + [1, 2^16] doubles are 8 GiB at one byte an element (under
  /// the 16 GiB default) but 64 GiB as doubles.
  @Test func broadcastingChecksTheRealElementSize() {
    let x = ["x": Tensor([Double(1)], shape: [1])]
    let model = MaliciousModels.broadcastBlowUp(1 << 16, dtype: .double, rows: 1 << 17)
    Self.expectFailure(
      model, x,
      contains: ["node 'outer_sum' (Add)", "double [131072, 65536] needs 68719476736 bytes, over the limit of \(TensorLimits.maxBytes) bytes"])
  }
}

/// Writes and reads back `model`, as a user's file would arrive.
func MaliciousModelTests_roundTrip(_ model: Model) throws -> Model {
  let bytes = try ONNXWriter.serialize(model)
  return try bytes.withUnsafeBytes { try ONNXReader.readModel(bytes: $0, path: "model.onnx") }
}
