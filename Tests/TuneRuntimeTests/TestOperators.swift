import Foundation
import TuneIR
import TuneRuntime
import TuneTensor

// Small ops for testing the executor independently of the real op families.

/// a + b for floats, b broadcast by repeating it (same shape, a scalar or a trailing row).
struct TAdd: Operator {
  static let opType = "TAdd"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard let a = inputs[0], let b = inputs[1] else { throw OpError("needs two inputs") }
    guard a.dtype == .float, b.dtype == .float else { throw OpError("expected float inputs") }
    let x = a.elements(as: Float.self)
    let y = b.elements(as: Float.self)
    guard !y.isEmpty, x.count % y.count == 0 else {
      throw OpError("cannot add shape \(b.shape) to shape \(a.shape)")
    }
    return [Tensor(x.indices.map { x[$0] + y[$0 % y.count] }, shape: a.shape)]
  }
}

/// max(x, 0) for floats.
struct TRelu: Operator {
  static let opType = "TRelu"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard let a = inputs[0] else { throw OpError("needs an input") }
    return [Tensor(a.elements(as: Float.self).map { max($0, 0) }, shape: a.shape)]
  }
}

/// Returns its input itself (same buffer).
struct TPass: Operator {
  static let opType = "TPass"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard let a = inputs[0] else { throw OpError("needs an input") }
    return [a]
  }
}

/// Always fails.
struct TFail: Operator {
  static let opType = "TFail"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    throw OpError("boom")
  }
}

/// Fails at planning time unless attribute `ok` is 1.
struct TPicky: Operator {
  static let opType = "TPicky"
  init(node: Node, opset: Int) throws {
    guard try node.int("ok", default: 0) == 1 else { throw OpError("attribute 'ok' should be 1") }
  }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] { [inputs[0]!] }
}

/// Outputs (x, whether training mode is on, the opset it was made for).
struct TProbe: Operator {
  static let opType = "TProbe"
  let opset: Int
  init(node: Node, opset: Int) throws { self.opset = opset }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [inputs[0]!, Tensor(scalar: context.training), Tensor(scalar: Int64(opset))]
  }
}

/// Records a weak reference to its output buffer under attribute `key`.
struct TRecord: Operator {
  static let opType = "TRecord"
  let key: String
  init(node: Node, opset: Int) throws { key = try node.string("key", default: "") }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let out = Tensor(inputs[0]!.elements(as: Float.self), shape: inputs[0]!.shape)
    WeakBuffers.shared.set(key, out.buffer)
    return [out]
  }
}

/// Outputs whether the buffer recorded under attribute `key` is still alive (a bool scalar).
struct TIsAlive: Operator {
  static let opType = "TIsAlive"
  let key: String
  init(node: Node, opset: Int) throws { key = try node.string("key", default: "") }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [Tensor(scalar: WeakBuffers.shared.isAlive(key))]
  }
}

final class WeakBuffers: @unchecked Sendable {
  static let shared = WeakBuffers()
  private final class Box { weak var buffer: TensorBuffer? }
  private var boxes: [String: Box] = [:]
  private let lock = NSLock()
  func set(_ key: String, _ buffer: TensorBuffer) {
    lock.lock()
    defer { lock.unlock() }
    let b = Box()
    b.buffer = buffer
    boxes[key] = b
  }
  func isAlive(_ key: String) -> Bool {
    lock.lock()
    defer { lock.unlock() }
    return boxes[key]?.buffer != nil
  }
}

let testOperators = OperatorResolver(operators: [
  TAdd.self, TRelu.self, TPass.self, TFail.self, TPicky.self, TProbe.self, TRecord.self,
  TIsAlive.self, If.self, Loop.self, Scan.self,
])

// Model building.

func floatInput(_ name: String, _ dims: [TuneIR.Dimension]) -> ValueInfo {
  ValueInfo(name: name, type: .tensor(.float, dims))
}

func value(_ name: String, _ dtype: DType? = nil, _ dims: [TuneIR.Dimension]? = nil) -> ValueInfo {
  ValueInfo(name: name, type: dtype.map { .tensor($0, dims) })
}

func node(
  _ opType: String, _ inputs: [String], _ outputs: [String], name: String? = nil,
  attributes: [Attribute] = []
) -> Node {
  Node(opType: opType, inputs: inputs, outputs: outputs, name: name, attributes: attributes)
}

func graphAttribute(_ name: String, _ graph: Graph) -> Attribute {
  var a = Attribute(name: name)
  a.type = Attribute.Kind.graph.rawValue
  a.g = graph
  return a
}

func model(_ graph: Graph, opset: Int64 = 17) -> Model {
  Model(irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: opset)], graph: graph)
}

func initializer(_ name: String, _ values: [Float], _ shape: [Int]) -> TensorProto {
  TensorProto(name: name, data: Tensor(values, shape: shape))
}
