import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor

// Minimal stand-ins for the ops the ONNX control-flow cases use besides If/Loop/Scan, so that
// the control ops are checked against ONNX's own data independently of the op families.

struct StandInConstant: Operator {
  static let opType = "Constant"
  let value: Tensor
  init(node: Node, opset: Int) throws {
    guard let v = try node.tensor("value") else { throw OpError("only 'value' is supported") }
    value = v
  }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] { [value] }
}

struct StandInIdentity: Operator {
  static let opType = "Identity"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] { [inputs[0]!] }
}

/// Elementwise on equal shapes or against a one-element tensor (float or int64).
protocol StandInBinary: Operator {
  init()
  static func apply(_ a: Double, _ b: Double) -> Double
}
extension StandInBinary {
  init(node: Node, opset: Int) throws { self.init() }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let a = inputs[0]!, b = inputs[1]!
    let big = a.count >= b.count ? a : b
    guard a.count == b.count || a.count == 1 || b.count == 1 else { throw OpError("shapes differ") }
    var out = Tensor(zeros: a.dtype, shape: big.shape)
    let store = Tensor.storer(a.dtype)
    for i in 0..<big.count {
      store(
        out.buffer.pointer, i,
        Self.apply(a.doubleValue(at: a.count == 1 ? 0 : i), b.doubleValue(at: b.count == 1 ? 0 : i)))
    }
    out.strings = []
    return [out]
  }
}
struct StandInAdd: StandInBinary {
  static let opType = "Add"
  static func apply(_ a: Double, _ b: Double) -> Double { a + b }
}
struct StandInMul: StandInBinary {
  static let opType = "Mul"
  static func apply(_ a: Double, _ b: Double) -> Double { a * b }
}

/// Unsqueeze at axis 0 only.
struct StandInUnsqueeze: Operator {
  static let opType = "Unsqueeze"
  init(node: Node, opset: Int) throws {
    guard try node.ints("axes") == [0] else { throw OpError("only axes [0]") }
  }
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    [inputs[0]!.reshaped([1] + inputs[0]!.shape)]
  }
}

/// Slice of a 1-D float tensor with one start and one end.
struct StandInSlice: Operator {
  static let opType = "Slice"
  init(node: Node, opset: Int) throws {}
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = inputs[0]!.elements(as: Float.self)
    let s = Int(inputs[1]!.int64Values()[0])
    let e = min(Int(inputs[2]!.int64Values()[0]), x.count)
    return [Tensor(Array(x[s..<e]), shape: [e - s])]
  }
}

@Suite struct BackendControlTests {
  static let operators = OperatorResolver(operators: [
    If.self, Loop.self, Scan.self, StandInConstant.self, StandInIdentity.self, StandInAdd.self,
    StandInMul.self, StandInUnsqueeze.self, StandInSlice.self,
  ])
  static let node = "/work/venv/lib/python3.11/site-packages/onnx/backend/test/data/node"

  @Test(
    .enabled(if: FileManager.default.fileExists(atPath: node)),
    arguments: [
      "test_if", "test_loop11", "test_scan_sum", "test_scan9_sum", "test_scan9_scalar", "test_scan9_multi_state",
    ])
  func backendCase(_ name: String) throws {
    let dir = "\(Self.node)/\(name)"
    let model = try ONNXReader.readModel(atPath: "\(dir)/model.onnx")
    let session = try InferenceSession(model: model, operators: Self.operators)
    var feed: [String: Tensor] = [:]
    for (i, input) in (model.graph?.inputs ?? []).enumerated() {
      let path = "\(dir)/test_data_set_0/input_\(i).pb"
      if FileManager.default.fileExists(atPath: path) { feed[input.name!] = try ONNXReader.readTensor(atPath: path).data }
    }
    let outputs = try session.runOrdered(feed)
    for (i, got) in outputs.enumerated() {
      let expected = try ONNXReader.readTensor(atPath: "\(dir)/test_data_set_0/output_\(i).pb").data
      #expect(got.dtype == expected.dtype && got.shape == expected.shape, "output \(i)")
      #expect(got.floatValues() == expected.floatValues(), "output \(i)")
    }
  }
}
