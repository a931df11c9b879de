import Foundation
import Testing
import TuneIR
import TuneTensor

/// Builds a node of `opType` with the given attributes and runs the registered op on it.
func runOp(
  _ opType: String, opset: Int = 17, attributes: [Attribute] = [], outputs: Int = 1,
  _ inputs: [Tensor?], context: ExecutionContext = ExecutionContext()
) throws -> [Tensor] {
  guard let type = OperatorRegistry.lookup(opType: opType, domain: "") else {
    throw OpError("\(opType) is not registered")
  }
  let node = Node(
    opType: opType, inputs: inputs.map { $0 == nil ? "" : "x" }, outputs: (0..<outputs).map { "y\($0)" },
    attributes: attributes)
  let op = try type.init(node: node, opset: opset)
  return try op.forward(inputs, context: context)
}

/// Expects `actual` to have `shape` and values within `atol + rtol·|expected|`.
func expectClose(
  _ actual: Tensor, _ expected: [Float], shape: [Int], rtol: Float = 1e-4, atol: Float = 1e-5,
  sourceLocation: SourceLocation = #_sourceLocation
) {
  #expect(actual.shape == shape, "shape \(actual.shape) != \(shape)", sourceLocation: sourceLocation)
  let values = actual.converted(to: .float).elements(as: Float.self)
  #expect(values.count == expected.count, sourceLocation: sourceLocation)
  var worst = 0
  var worstError: Float = 0
  for (i, (a, e)) in zip(values, expected).enumerated() {
    let err = abs(a - e) - rtol * abs(e)
    if !(err <= atol) && (err > worstError || err.isNaN) {
      worst = i
      worstError = err.isNaN ? .infinity : err
    }
  }
  #expect(
    worstError == 0, "element \(worst): \(values.count > worst ? values[worst] : .nan) vs \(expected.count > worst ? expected[worst] : .nan)",
    sourceLocation: sourceLocation)
}

/// Deterministic pseudo-random floats in [-1, 1).
func randomFloats(_ count: Int, seed: UInt64) -> [Float] {
  var g = SeededRandom(seed: seed)
  return (0..<count).map { _ in g.nextFloat() * 2 - 1 }
}
