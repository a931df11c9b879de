import Testing
import TuneIR
import TuneTensor
import TuneTestSupport

/// The shape ops are linear in their data input, so `backward` must be the adjoint of
/// `forward`: `<forward(x), g> = <x, backward(g)>` for random `x` and `g` (the dot-product test;
/// float64 sums, tolerance 1e-4 relative; for affine ops the output at zero is subtracted).
@Suite struct ShapeOpGradientTests {
  static func random(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededRandom(seed: seed)
    return Tensor(
      (0..<Tensor.elementCount(shape)).map { _ in rng.nextFloat() * 2 - 1 }, shape: shape)
  }

  static func dot(_ a: Tensor, _ b: Tensor) -> Double {
    zip(a.elements(as: Float.self), b.elements(as: Float.self)).reduce(0) {
      $0 + Double($1.0) * Double($1.1)
    }
  }

  /// Runs the adjoint test on input 0 of `op`, checking other inputs get no gradient.
  static func checkAdjoint(
    _ type: any Operator.Type, opset: Int, attributes: [Attribute] = [], inputs: [Tensor?],
    outputCount: Int = 1, dropGradient: Int? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let node = Node(
      opType: type.opType,
      inputs: inputs.enumerated().map { $0.element == nil ? "" : "x\($0.offset)" },
      outputs: (0..<outputCount).map { "y\($0)" }, attributes: attributes)
    let op = try #require(try type.init(node: node, opset: opset) as? any DifferentiableOperator)
    let context = ExecutionContext()
    let outputs = try op.forward(inputs, context: context)
    var grads: [Tensor?] = outputs.enumerated().map {
      random($0.element.shape, seed: 100 + UInt64($0.offset))
    }
    if let d = dropGradient { grads[d] = nil }
    let inputGrads = try op.backward(
      inputs: inputs, outputs: outputs, saved: [], outputGradients: grads,
      needed: inputs.map { _ in true }, context: context)
    let gx = try #require(inputGrads[0], sourceLocation: sourceLocation)
    #expect(gx.shape == inputs[0]!.shape, sourceLocation: sourceLocation)
    // Affine ops (Pad with a fill value): subtract the output for zero data inputs.
    var zeroed = inputs
    for k in zeroed.indices where k == 0 || type == Concat.self {
      if let t = zeroed[k] { zeroed[k] = Tensor(zeros: t.dtype, shape: t.shape) }
    }
    let offsets = try op.forward(zeroed, context: context)
    var lhs = 0.0
    for (k, (y, g)) in zip(outputs, grads).enumerated() {
      if let g { lhs += dot(y, g) - dot(offsets[k], g) }
    }
    var rhs = dot(inputs[0]!, gx)
    if type == Concat.self {
      for k in 1..<inputs.count { rhs += dot(inputs[k]!, try #require(inputGrads[k])) }
    }
    #expect(
      abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)), "\(type.opType): \(lhs) vs \(rhs)",
      sourceLocation: sourceLocation)
    if type != Concat.self {
      #expect(inputGrads.dropFirst().allSatisfy { $0 == nil }, sourceLocation: sourceLocation)
    }
  }

  func i64(_ v: [Int64]) -> Tensor { Tensor(v, shape: [v.count]) }
  let x = random([2, 3, 4], seed: 1)

  @Test func reshapeLikeOps() throws {
    try Self.checkAdjoint(Reshape.self, opset: 13, inputs: [x, i64([4, -1])])
    try Self.checkAdjoint(Flatten.self, opset: 13, inputs: [x])
    try Self.checkAdjoint(Identity.self, opset: 13, inputs: [x])
    try Self.checkAdjoint(Unsqueeze.self, opset: 13, inputs: [x, i64([0])])
    try Self.checkAdjoint(Squeeze.self, opset: 13, inputs: [Self.random([1, 3, 1], seed: 2)])
  }

  @Test func permutingAndSlicingOps() throws {
    try Self.checkAdjoint(
      Transpose.self, opset: 13, attributes: [.ints("perm", [2, 0, 1])], inputs: [x])
    try Self.checkAdjoint(
      Slice.self, opset: 13, inputs: [x, i64([3, 0]), i64([0, 100]), i64([2, 1]), i64([-1, 2])])
    try Self.checkAdjoint(
      Split.self, opset: 13, attributes: [.int("axis", 2)], inputs: [x, i64([1, 3])],
      outputCount: 2, dropGradient: 0)
    try Self.checkAdjoint(
      DepthToSpace.self, opset: 13, attributes: [.int("blocksize", 2), .string("mode", "CRD")],
      inputs: [Self.random([1, 8, 2, 3], seed: 3)])
    try Self.checkAdjoint(
      SpaceToDepth.self, opset: 13, attributes: [.int("blocksize", 2)],
      inputs: [Self.random([1, 2, 4, 2], seed: 4)])
    try Self.checkAdjoint(
      ReverseSequence.self, opset: 10, inputs: [Self.random([4, 2, 3], seed: 5), i64([3, 1])])
  }

  @Test func gathersAccumulateDuplicates() throws {
    try Self.checkAdjoint(
      Gather.self, opset: 13, attributes: [.int("axis", 1)], inputs: [x, i64([2, -1, 2, 0])])
    try Self.checkAdjoint(
      GatherElements.self, opset: 13, attributes: [.int("axis", 2)],
      inputs: [x, Tensor((0..<24).map { Int64($0 % 3) }, shape: [2, 3, 4])])
    try Self.checkAdjoint(
      GatherND.self, opset: 13, inputs: [x, Tensor([1, 2, 1, 2, 0, 0] as [Int64], shape: [3, 2])])
    try Self.checkAdjoint(
      Compress.self, opset: 11, attributes: [.int("axis", 1)],
      inputs: [x, Tensor([true, false, true], shape: [3])])
  }

  @Test func broadcastingAndPaddingOps() throws {
    try Self.checkAdjoint(
      Expand.self, opset: 13, inputs: [Self.random([3, 1], seed: 6), i64([2, 3, 4])])
    try Self.checkAdjoint(Tile.self, opset: 13, inputs: [x, i64([2, 1, 3])])
    for mode in ["constant", "reflect", "edge"] {
      try Self.checkAdjoint(
        Pad.self, opset: 13, attributes: [.string("mode", mode)],
        inputs: [x, i64([0, 2, 1, 1, 3, -1]), mode == "constant" ? Tensor(scalar: Float(5)) : nil])
    }
    try Self.checkAdjoint(
      Pad.self, opset: 19, attributes: [.string("mode", "wrap")],
      inputs: [x, i64([0, 4, 1, 0, 3, 5])])
    try Self.checkAdjoint(
      Pad.self, opset: 2, attributes: [.ints("pads", [1, 0, 0, 0, 1, 2]), .float("value", 3)],
      inputs: [x])
    try Self.checkAdjoint(CenterCropPad.self, opset: 18, inputs: [x, i64([3, 1, 7])])
    try Self.checkAdjoint(
      Trilu.self, opset: 14, attributes: [.int("upper", 0)], inputs: [x, Tensor(scalar: Int64(1))])
  }

  @Test func concatSplitsTheGradient() throws {
    try Self.checkAdjoint(
      Concat.self, opset: 13, attributes: [.int("axis", 1)],
      inputs: [x, Self.random([2, 1, 4], seed: 7)])
    let a = Tensor([1, 2] as [Float], shape: [1, 2])
    let b = Tensor([3, 4, 5, 6] as [Float], shape: [2, 2])
    let op = try Concat(node: Node(opType: "Concat", attributes: [.int("axis", 0)]), opset: 13)
    let g = Tensor([10, 20, 30, 40, 50, 60] as [Float], shape: [3, 2])
    let grads = try op.backward(
      inputs: [a, b], outputs: [], saved: [], outputGradients: [g], needed: [false, true],
      context: ExecutionContext())
    #expect(grads[0] == nil)
    #expect(grads[1]?.elements(as: Float.self) == [30, 40, 50, 60])
  }
}

/// The same rules through the shared central finite-difference checker (TuneTestSupport's
/// `GradientCheck`, default tolerances 1e-2).
@Suite struct ShapeOpFiniteDifferenceTests {
  func i64(_ v: [Int64]) -> Tensor { Tensor(v, shape: [v.count]) }
  let x = ShapeOpGradientTests.random([2, 3, 4], seed: 11)

  func check(
    _ type: any Operator.Type, opset: Int, attributes: [Attribute] = [], inputs: [Tensor?],
    wrt: [Int] = [0], outputCount: Int = 1, sourceLocation: SourceLocation = #_sourceLocation
  ) throws {
    let node = Node(
      opType: type.opType,
      inputs: inputs.enumerated().map { $0.element == nil ? "" : "x\($0.offset)" },
      outputs: (0..<outputCount).map { "y\($0)" }, attributes: attributes)
    let op = try #require(try type.init(node: node, opset: opset) as? any DifferentiableOperator)
    let mismatches = try GradientCheck.check(op, inputs: inputs, wrt: wrt)
    #expect(
      mismatches.isEmpty, "\(type.opType): \(mismatches.prefix(3))", sourceLocation: sourceLocation)
  }

  @Test func dataMovementOps() throws {
    try check(Transpose.self, opset: 13, attributes: [.ints("perm", [1, 2, 0])], inputs: [x])
    try check(Reshape.self, opset: 13, inputs: [x, i64([6, -1])])
    try check(
      Slice.self, opset: 13,
      inputs: [x, i64([-1, 1]), i64([-100, 4]), i64([1, 2]), i64([-2, 2])])
    try check(Gather.self, opset: 13, attributes: [.int("axis", 2)], inputs: [x, i64([3, 3, 0])])
    try check(
      Expand.self, opset: 13,
      inputs: [ShapeOpGradientTests.random([3, 1], seed: 12), i64([2, 3, 5])])
    try check(Tile.self, opset: 13, inputs: [x, i64([1, 2, 2])])
    try check(
      Pad.self, opset: 13, attributes: [.string("mode", "reflect")],
      inputs: [x, i64([0, 2, 3, 1, 1, 3])])
    try check(
      Split.self, opset: 18, attributes: [.int("axis", 1), .int("num_outputs", 2)], inputs: [x],
      outputCount: 2)
    try check(
      Concat.self, opset: 13, attributes: [.int("axis", -1)],
      inputs: [x, ShapeOpGradientTests.random([2, 3, 2], seed: 13)], wrt: [0, 1])
  }
}
