import Testing
import TuneIR
import TuneTensor

// Finite-difference checks of every Math gradient: the loss Σ w·y with fixed random weights w,
// central differences (ε = 1e-3, in float32) against `backward`, after summing a broadcast
// gradient down to its input's shape as the backward driver will. Inputs avoid kinks.

private func uniform(_ shape: [Int], _ range: ClosedRange<Float>, seed: UInt64) -> Tensor {
  var g = SeededRandom(seed: seed)
  let values = (0..<Tensor.elementCount(shape)).map { _ in
    range.lowerBound + (range.upperBound - range.lowerBound) * g.nextFloat()
  }
  return Tensor(values, shape: shape)
}

/// `g` (of a broadcast output shape) summed down to `shape`.
private func unbroadcast(_ g: Tensor, to shape: [Int]) -> Tensor {
  if g.shape == shape { return g }
  let padded = [Int](repeating: 1, count: g.rank - shape.count) + shape
  let mask = zip(padded, g.shape).map { $0 == 1 && $1 != 1 }
  return Elementwise.reduce(g, as: Float.self, reduced: mask, initial: 0) { a, e, _ in a + e }
    .reshaped(shape)
}

struct GradientCase: CustomTestStringConvertible, Sendable {
  var op: String
  var inputs: [Tensor?]
  var wrt: [Int]
  var attributes: [Attribute] = []
  var opset: Int = 18
  var testDescription: String { "\(op) \(attributes.compactMap(\.name))" }
}

private func x(_ shape: [Int], _ range: ClosedRange<Float> = -2...2, seed: UInt64 = 1) -> Tensor {
  uniform(shape, range, seed: seed)
}

private let unaryCases: [GradientCase] =
  [
    "Exp", "Tanh", "Sigmoid", "Softplus", "Softsign", "Mish", "Erf", "Sin", "Cos", "Atan", "Sinh",
    "Cosh", "Asinh", "Neg", "Selu", "Elu", "Celu", "Swish",
  ].map { GradientCase(op: $0, inputs: [x([2, 3])], wrt: [0]) }
  + ["Log", "Sqrt", "Reciprocal"].map { GradientCase(op: $0, inputs: [x([2, 3], 0.5...2)], wrt: [0]) }
  + ["Asin", "Acos", "Atanh", "Tan"].map { GradientCase(op: $0, inputs: [x([2, 3], -0.8...0.8)], wrt: [0]) }
  + [
    GradientCase(op: "Acosh", inputs: [x([2, 3], 1.5...3)], wrt: [0]),
    GradientCase(op: "Relu", inputs: [Tensor([-1.5, -0.3, 0.4, 1.2, 2, -2] as [Float], shape: [6])], wrt: [0]),
    GradientCase(op: "Abs", inputs: [Tensor([-1.5, -0.3, 0.4, 1.2] as [Float], shape: [4])], wrt: [0]),
    GradientCase(
      op: "LeakyRelu", inputs: [Tensor([-1.5, -0.3, 0.4, 1.2] as [Float], shape: [4])], wrt: [0],
      attributes: [.float("alpha", 0.1)]),
    GradientCase(
      op: "HardSigmoid", inputs: [Tensor([-4, -1.1, 0.3, 1.2, 4] as [Float], shape: [5])], wrt: [0]),
    GradientCase(op: "HardSwish", inputs: [Tensor([-4, -1.1, 0.3, 1.2, 4] as [Float], shape: [5])], wrt: [0]),
    GradientCase(
      op: "ThresholdedRelu", inputs: [Tensor([-1, 0.5, 1.5, 3] as [Float], shape: [4])], wrt: [0]),
    GradientCase(op: "Shrink", inputs: [Tensor([-1.5, -0.2, 0.3, 1.2] as [Float], shape: [4])], wrt: [0]),
    GradientCase(op: "Gelu", inputs: [x([2, 3])], wrt: [0], opset: 20),
    GradientCase(
      op: "Gelu", inputs: [x([2, 3])], wrt: [0], attributes: [.string("approximate", "tanh")], opset: 20),
    GradientCase(op: "Floor", inputs: [Tensor([-1.5, 0.3, 1.2] as [Float], shape: [3])], wrt: [0]),
  ]

private let binaryCases: [GradientCase] = [
  GradientCase(op: "Add", inputs: [x([2, 3]), x([3], seed: 2)], wrt: [0, 1]),
  GradientCase(op: "Sub", inputs: [x([2, 1]), x([2, 3], seed: 2)], wrt: [0, 1]),
  GradientCase(op: "Mul", inputs: [x([2, 3]), x([2, 1], seed: 2)], wrt: [0, 1]),
  GradientCase(op: "Div", inputs: [x([2, 3]), x([3], 0.5...2, seed: 2)], wrt: [0, 1]),
  GradientCase(op: "Pow", inputs: [x([2, 3], 0.5...2), x([3], -1...2, seed: 2)], wrt: [0, 1]),
  GradientCase(
    op: "PRelu", inputs: [Tensor([-1.5, -0.3, 0.4, 1.2, -2, 0.7] as [Float], shape: [2, 3]), x([3], seed: 2)],
    wrt: [0, 1]),
  GradientCase(op: "Sum", inputs: [x([2, 3]), x([3], seed: 2), x([2, 1], seed: 3)], wrt: [0, 1, 2]),
  GradientCase(op: "Mean", inputs: [x([2, 3]), x([3], seed: 2)], wrt: [0, 1]),
  GradientCase(
    op: "Where", inputs: [Tensor([true, false, true], shape: [3]), x([2, 3]), x([2, 1], seed: 2)],
    wrt: [1, 2]),
  GradientCase(
    op: "Clip",
    inputs: [Tensor([-1.5, -0.3, 0.4, 1.2] as [Float], shape: [4]), Tensor(scalar: Float(-1)),
      Tensor(scalar: Float(1))], wrt: [0], opset: 13),
  GradientCase(
    op: "Clip", inputs: [Tensor([-1.5, -0.3, 0.4, 1.2] as [Float], shape: [4])], wrt: [0],
    attributes: [.float("min", -1), .float("max", 1)], opset: 6),
  GradientCase(op: "Softmax", inputs: [x([2, 3, 4])], wrt: [0], attributes: [.int("axis", 1)], opset: 13),
  GradientCase(op: "Softmax", inputs: [x([2, 3, 4])], wrt: [0], attributes: [.int("axis", 1)], opset: 11),
  GradientCase(op: "LogSoftmax", inputs: [x([2, 3, 4])], wrt: [0], opset: 13),
  GradientCase(
    op: "ReduceSum", inputs: [x([2, 3, 4]), Tensor([0, 2] as [Int64], shape: [2])], wrt: [0],
    attributes: [.int("keepdims", 0)], opset: 13),
  GradientCase(
    op: "ReduceMean", inputs: [x([2, 3, 4]), Tensor([-1] as [Int64], shape: [1])], wrt: [0]),
  GradientCase(op: "ReduceMean", inputs: [x([2, 3, 4])], wrt: [0], attributes: [.ints("axes", [1])], opset: 13),
  GradientCase(op: "ReduceSumSquare", inputs: [x([2, 3, 4]), Tensor([1] as [Int64], shape: [1])], wrt: [0]),
]

@Test(arguments: unaryCases + binaryCases)
func mathGradientMatchesFiniteDifferences(_ c: GradientCase) throws {
  let type = try #require(OperatorRegistry.lookup(opType: c.op, domain: ""))
  let op = try #require(
    try type.init(node: Node(opType: c.op, attributes: c.attributes), opset: c.opset)
      as? any DifferentiableOperator)
  let context = ExecutionContext()
  let outputs = try op.forward(c.inputs, context: context)
  let w = uniform(outputs[0].shape, -1...1, seed: 99)
  let needed = c.inputs.indices.map { c.wrt.contains($0) }
  let grads = try op.backward(
    inputs: c.inputs, outputs: outputs, saved: [], outputGradients: [w], needed: needed, context: context)

  func loss(_ inputs: [Tensor?]) throws -> Double {
    let y = try op.forward(inputs, context: context)[0].floatValues()
    return zip(y, w.floatValues()).reduce(0) { $0 + Double($1.0) * Double($1.1) }
  }
  let eps: Float = 1e-3
  for i in c.wrt {
    let input = try #require(c.inputs[i])
    let analytic = unbroadcast(try #require(grads[i]), to: input.shape).floatValues()
    var values = input.floatValues()
    for j in values.indices {
      let saved = values[j]
      var perturbed = c.inputs
      values[j] = saved + eps
      perturbed[i] = Tensor(values, shape: input.shape)
      let plus = try loss(perturbed)
      values[j] = saved - eps
      perturbed[i] = Tensor(values, shape: input.shape)
      let minus = try loss(perturbed)
      values[j] = saved
      let numeric = Float((plus - minus) / Double(2 * eps))
      #expect(
        abs(analytic[j] - numeric) <= 1e-2 * (1 + abs(numeric)),
        "\(c.op) input \(i)[\(j)]: backward \(analytic[j]), finite difference \(numeric)")
    }
  }
}
