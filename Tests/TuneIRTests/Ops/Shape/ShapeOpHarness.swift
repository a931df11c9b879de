import Testing
import TuneIR
import TuneTensor

/// Runs one shape-family op on tensors and compares results (names are prefixed so they do not
/// collide with other families' helpers in this target).
enum ShapeOpHarness {
  /// Builds the node, reads it for `opset`, runs `forward`.
  static func run(
    _ op: any Operator.Type, opset: Int, attributes: [Attribute] = [], inputs: [Tensor?],
    outputCount: Int = 1
  ) throws -> [Tensor] {
    let node = Node(
      opType: op.opType,
      inputs: inputs.enumerated().map { $0.element == nil ? "" : "x\($0.offset)" },
      outputs: (0..<outputCount).map { "y\($0)" }, attributes: attributes)
    let instance = try op.init(node: node, opset: opset)
    return try instance.forward(inputs, context: ExecutionContext())
  }

  /// Expects `actual` to match `expected`: same dtype and shape; numeric elements within
  /// `atol + rtol * |expected|` (ONNX's backend-test tolerances by default); strings equal.
  static func expectClose(
    _ actual: Tensor, _ expected: Tensor, rtol: Double = 1e-3, atol: Double = 1e-7,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(actual.dtype == expected.dtype, sourceLocation: sourceLocation)
    #expect(actual.shape == expected.shape, sourceLocation: sourceLocation)
    guard actual.dtype == expected.dtype, actual.shape == expected.shape else { return }
    if actual.dtype == .string {
      #expect(actual.strings == expected.strings, sourceLocation: sourceLocation)
      return
    }
    let load = Tensor.loader(actual.dtype)
    var bad: [String] = []
    for i in 0..<actual.count {
      let a = load(actual.buffer.pointer, i)
      let e = load(expected.buffer.pointer, i)
      if a.isNaN && e.isNaN { continue }
      if !(abs(a - e) <= atol + rtol * abs(e)) { bad.append("[\(i)] \(a) != \(e)") }
    }
    #expect(
      bad.isEmpty, "\(bad.count) mismatches: \(bad.prefix(5))", sourceLocation: sourceLocation)
  }

  /// Expects the op to throw an `OpError`.
  static func expectOpError(
    _ op: any Operator.Type, opset: Int, attributes: [Attribute] = [], inputs: [Tensor?],
    outputCount: Int = 1, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    #expect(throws: OpError.self, sourceLocation: sourceLocation) {
      _ = try run(
        op, opset: opset, attributes: attributes, inputs: inputs, outputCount: outputCount)
    }
  }

  /// A tensor attribute.
  static func tensorAttribute(_ name: String, _ t: Tensor) -> Attribute {
    .tensor(name, TensorProto(name: nil, data: t))
  }

  /// A string tensor from Swift strings.
  static func strings(_ values: [String], shape: [Int]) -> Tensor {
    Tensor(strings: values.map { Array($0.utf8) }, shape: shape)
  }
}
