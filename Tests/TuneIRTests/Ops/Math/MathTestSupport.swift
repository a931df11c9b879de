import Testing
import TuneIR
import TuneTensor

/// Runs the registered op `opType` on `inputs` with `attributes` at `opset`.
func runOp(
  _ opType: String, _ inputs: [Tensor?], attributes: [Attribute] = [], opset: Int = 18
) throws -> [Tensor] {
  guard let type = OperatorRegistry.lookup(opType: opType, domain: "") else {
    throw OpError("\(opType) is not registered")
  }
  let node = Node(opType: opType, attributes: attributes)
  let op = try type.init(node: node, opset: opset)
  return try op.forward(inputs, context: ExecutionContext())
}

/// Runs the op and returns its single output.
func runOp1(
  _ opType: String, _ inputs: [Tensor?], attributes: [Attribute] = [], opset: Int = 18
) throws -> Tensor {
  try runOp(opType, inputs, attributes: attributes, opset: opset)[0]
}

func floats(_ values: [Float], _ shape: [Int]) -> Tensor { Tensor(values, shape: shape) }

/// Checks `t` is float with `shape` and elements within `tolerance` (absolute + relative) of
/// `expected` (NaN matches NaN).
func expectClose(
  _ t: Tensor, _ expected: [Float], shape: [Int], tolerance: Float = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(t.shape == shape, sourceLocation: sourceLocation)
  let got = t.floatValues()
  #expect(got.count == expected.count, sourceLocation: sourceLocation)
  for (g, e) in zip(got, expected) {
    let ok = (g.isNaN && e.isNaN) || g == e || abs(g - e) <= tolerance * (1 + abs(e))
    #expect(ok, "got \(g), expected \(e)", sourceLocation: sourceLocation)
  }
}
