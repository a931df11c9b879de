import Testing
import TuneIR
import TuneTensor
import TuneTestSupport

/// Central finite differences (h = 1e-2, float32) for the gradient rules a classifier head
/// needs. Tolerance: |analytic − numeric| ≤ 1e-2 + 1e-2·|numeric| unless stated.
@Suite struct HeadGradientTests {
  static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
    var rng = SeededRandom(seed: seed)
    return Tensor((0..<Tensor.elementCount(shape)).map { _ in (rng.nextFloat() * 2 - 1) * scale }, shape: shape)
  }

  static func node(_ op: String, _ attributes: [Attribute] = [], inputs: Int = 1, outputs: Int = 1) -> Node {
    Node(
      opType: op, inputs: (0..<inputs).map { "i\($0)" }, outputs: (0..<outputs).map { "o\($0)" }, name: op.lowercased(),
      attributes: attributes)
  }

  static func expectNoMismatch(_ m: [GradientCheck.Mismatch], _ what: String) {
    #expect(m.isEmpty, "\(what): \(m.prefix(5))")
  }

  @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
  func gemm(_ transA: Bool, _ transB: Bool) throws {
    let op = try Gemm(
      node: Self.node("Gemm", [.int("transA", transA ? 1 : 0), .int("transB", transB ? 1 : 0), .float("alpha", 0.7), .float("beta", 1.3)], inputs: 3),
      opset: 13)
    let a = Self.random(transA ? [4, 3] : [3, 4], seed: 1)
    let b = Self.random(transB ? [5, 4] : [4, 5], seed: 2)
    let c = Self.random([5], seed: 3)
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: [a, b, c], wrt: [0, 1, 2]), "Gemm transA=\(transA) transB=\(transB)")
  }

  @Test(arguments: [([3, 4], [4, 5]), ([2, 3, 4], [4, 5]), ([2, 1, 3, 4], [3, 4, 2]), ([4], [4, 3]), ([3, 4], [4])])
  func matmul(_ aShape: [Int], _ bShape: [Int]) throws {
    let op = try MatMul(node: Self.node("MatMul", inputs: 2), opset: 13)
    Self.expectNoMismatch(
      try GradientCheck.check(op, inputs: [Self.random(aShape, seed: 4), Self.random(bShape, seed: 5)], wrt: [0, 1]),
      "MatMul \(aShape)x\(bShape)")
  }

  @Test func globalAveragePool() throws {
    let op = try GlobalAveragePool(node: Self.node("GlobalAveragePool"), opset: 13)
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: [Self.random([2, 3, 4, 5], seed: 6)], wrt: [0]), "GlobalAveragePool")
  }

  @Test func relu() throws {
    let op = try Relu(node: Self.node("Relu"), opset: 14)
    // Keep values away from the kink at 0 (|x| ≥ 0.05 > h).
    let x = Tensor(Self.random([3, 7], seed: 7).floatValues().map { $0 >= 0 ? $0 + 0.05 : $0 - 0.05 }, shape: [3, 7])
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: [x], wrt: [0]), "Relu")
  }

  @Test func dropoutTrainingAndInference() throws {
    let op = try Dropout(node: Self.node("Dropout", [.float("ratio", 0.4)]), opset: 7)
    let x = Self.random([4, 6], seed: 8)
    // The mask comes from the context's seeded generator: the same in every evaluation.
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: [x], wrt: [0], training: true), "Dropout training")
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: [x], wrt: [0]), "Dropout inference")
    let (outputs, saved) = try op.forwardForTraining([x], context: ExecutionContext(training: true, seed: 1))
    let y = outputs[0].floatValues()
    let kept = y.filter { $0 != 0 }.count
    #expect(kept > 5 && kept < 22)
    #expect(saved.count == 1)
    for (a, b) in zip(y, x.floatValues()) where a != 0 { #expect(abs(a - b / 0.6) < 1e-6) }
  }

  @Test func batchNormalizationTraining() throws {
    let op = try BatchNormalization(node: Self.node("BatchNormalization", [.float("epsilon", 1e-3), .float("momentum", 0.9)], inputs: 5), opset: 15)
    let inputs: [Tensor?] = [
      Self.random([4, 3, 2, 2], seed: 9, scale: 2), Self.random([3], seed: 10), Self.random([3], seed: 11),
      Tensor([Float](repeating: 0, count: 3), shape: [3]), Tensor([Float](repeating: 1, count: 3), shape: [3]),
    ]
    // Normalization couples every element of a channel: h = 1e-3, tolerance 2e-2 + 2e-2·|numeric|.
    Self.expectNoMismatch(
      try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2], step: 1e-3, rtol: 2e-2, atol: 2e-2, training: true),
      "BatchNormalization training")
    let (_, saved) = try op.forwardForTraining(inputs, context: ExecutionContext(training: true))
    let updates = op.runningStatisticsUpdates(inputs: inputs, saved: saved)
    #expect(updates.map(\.input) == [3, 4])
    // Running mean = 0.9·0 + 0.1·batch mean.
    let x = inputs[0]!.floatValues()
    var channel0: [Float] = []
    for b in 0..<4 { channel0 += x[(b * 12)..<(b * 12 + 4)] }
    let mu = channel0.reduce(0, +) / 16
    #expect(abs(updates[0].value.floatValues()[0] - 0.1 * mu) < 1e-6)
  }

  @Test func batchNormalizationInferenceMode() throws {
    let op = try BatchNormalization(node: Self.node("BatchNormalization", inputs: 5), opset: 15)
    let inputs: [Tensor?] = [
      Self.random([2, 3, 2, 2], seed: 12), Self.random([3], seed: 13), Self.random([3], seed: 14),
      Self.random([3], seed: 15), Tensor([Float(0.5), 1, 2], shape: [3]),
    ]
    Self.expectNoMismatch(try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2]), "BatchNormalization inference")
  }
}

/// Conv and MaxPool gradients (finite differences as above).
@Suite struct ConvPoolGradientTests {
  struct ConvCase: Sendable, CustomStringConvertible {
    var x: [Int]
    var w: [Int]
    var attributes: [String: [Int]]
    var group: Int
    var description: String { "x\(x) w\(w) \(attributes) group \(group)" }
  }

  static let convCases: [ConvCase] = [
    ConvCase(x: [2, 3, 5, 5], w: [4, 3, 3, 3], attributes: [:], group: 1),
    ConvCase(x: [1, 2, 6, 5], w: [3, 2, 3, 2], attributes: ["strides": [2, 1], "pads": [1, 0, 1, 1]], group: 1),
    ConvCase(x: [1, 2, 7, 7], w: [2, 2, 3, 3], attributes: ["dilations": [2, 2], "pads": [1, 1, 1, 1]], group: 1),
    ConvCase(x: [2, 4, 5, 5], w: [4, 1, 3, 3], attributes: ["pads": [1, 1, 1, 1]], group: 4),  // depthwise
    ConvCase(x: [1, 4, 4, 4], w: [6, 2, 1, 1], attributes: [:], group: 2),
    ConvCase(x: [2, 3, 9], w: [2, 3, 3], attributes: ["strides": [2], "pads": [1, 1]], group: 1),  // 1-D
  ]

  @Test(arguments: convCases)
  func conv(_ c: ConvCase) throws {
    var attributes: [Attribute] = c.attributes.map { .ints($0.key, $0.value.map(Int64.init)) }
    attributes.append(.int("group", Int64(c.group)))
    let op = try Conv(node: HeadGradientTests.node("Conv", attributes, inputs: 3), opset: 11)
    let inputs: [Tensor?] = [
      HeadGradientTests.random(c.x, seed: 21), HeadGradientTests.random(c.w, seed: 22),
      HeadGradientTests.random([c.w[0]], seed: 23),
    ]
    HeadGradientTests.expectNoMismatch(try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2]), "Conv \(c)")
  }

  @Test func maxPool() throws {
    let op = try MaxPool(
      node: HeadGradientTests.node("MaxPool", [.ints("kernel_shape", [2, 2]), .ints("strides", [2, 2]), .ints("pads", [0, 0, 1, 1])]),
      opset: 12)
    // Distinct values so that no window has a tie within ±h.
    var rng = SeededRandom(seed: 31)
    var values = (0..<50).map { Float($0) * 0.1 }
    values.shuffle(using: &rng)
    Tensor(values, shape: [1, 2, 5, 5]).withElements(as: Float.self) { _ in }
    HeadGradientTests.expectNoMismatch(
      try GradientCheck.check(op, inputs: [Tensor(values, shape: [1, 2, 5, 5])], wrt: [0], step: 1e-2), "MaxPool")
  }
}

/// Pooling, normalization and resize gradients (finite differences as above).
@Suite struct MoreGradientTests {
  typealias H = HeadGradientTests

  @Test func globalMaxPool() throws {
    let op = try GlobalMaxPool(node: H.node("GlobalMaxPool"), opset: 13)
    var rng = SeededRandom(seed: 41)
    var values = (0..<36).map { Float($0) * 0.1 }
    values.shuffle(using: &rng)
    H.expectNoMismatch(try GradientCheck.check(op, inputs: [Tensor(values, shape: [2, 2, 3, 3])], wrt: [0]), "GlobalMaxPool")
  }

  @Test(arguments: [
    ["kernel_shape": [2, 2], "strides": [2, 2]],
    ["kernel_shape": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1]],
    ["kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "count_include_pad": [1]],
    ["kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": [1]],
  ])
  func averagePool(_ attrs: [String: [Int]]) throws {
    let attributes: [Attribute] = attrs.map { key, v in
      ["count_include_pad", "ceil_mode"].contains(key) ? .int(key, Int64(v[0])) : .ints(key, v.map(Int64.init))
    }
    let op = try AveragePool(node: H.node("AveragePool", attributes), opset: 19)
    H.expectNoMismatch(try GradientCheck.check(op, inputs: [H.random([2, 2, 5, 5], seed: 42)], wrt: [0]), "AveragePool \(attrs)")
  }

  @Test func layerNormalization() throws {
    let op = try LayerNormalization(node: H.node("LayerNormalization", [.int("axis", -2)], inputs: 3), opset: 17)
    let inputs: [Tensor?] = [H.random([3, 4, 5], seed: 43, scale: 2), H.random([4, 5], seed: 44), H.random([5], seed: 45)]
    H.expectNoMismatch(
      try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2], step: 1e-3, rtol: 2e-2, atol: 2e-2, outputs: 1),
      "LayerNormalization")
  }

  @Test func instanceNormalization() throws {
    let op = try InstanceNormalization(node: H.node("InstanceNormalization", inputs: 3), opset: 6)
    let inputs: [Tensor?] = [H.random([2, 3, 4, 4], seed: 46, scale: 2), H.random([3], seed: 47), H.random([3], seed: 48)]
    H.expectNoMismatch(
      try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2], step: 1e-3, rtol: 2e-2, atol: 2e-2), "InstanceNormalization")
  }

  @Test func resizeNearest() throws {
    let op = try Resize(node: H.node("Resize", [.string("mode", "nearest")], inputs: 3), opset: 13)
    let scales = Tensor([Float(1), 1, 2, 1.5], shape: [4])
    let inputs: [Tensor?] = [H.random([1, 2, 3, 4], seed: 49), nil, scales]
    H.expectNoMismatch(try GradientCheck.check(op, inputs: inputs, wrt: [0]), "Resize nearest")
  }
}

@Suite struct ConvTransposeGradientTests {
  typealias H = HeadGradientTests

  @Test(arguments: [
    ([1, 2, 3, 3], [2, 3, 3, 3], ["strides": [2, 2]], 1),
    ([2, 4, 3, 4], [4, 1, 2, 2], ["strides": [2, 1], "pads": [0, 1, 0, 0], "output_padding": [1, 0]], 2),
    ([1, 2, 5], [2, 2, 3], ["dilations": [2]], 1),
  ])
  func convTranspose(_ x: [Int], _ w: [Int], _ attrs: [String: [Int]], _ group: Int) throws {
    var attributes: [Attribute] = attrs.map { .ints($0.key, $0.value.map(Int64.init)) }
    attributes.append(.int("group", Int64(group)))
    let op = try ConvTranspose(node: H.node("ConvTranspose", attributes, inputs: 3), opset: 11)
    let inputs: [Tensor?] = [H.random(x, seed: 51), H.random(w, seed: 52), H.random([w[1] * group], seed: 53)]
    H.expectNoMismatch(try GradientCheck.check(op, inputs: inputs, wrt: [0, 1, 2]), "ConvTranspose x\(x) w\(w) \(attrs)")
  }
}
