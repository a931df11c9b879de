import Foundation
import Testing
import TuneIR
import TuneONNX
import TuneTensor
import TuneTestSupport

/// ONNX's optimizer ops against the backend suite's reference cases (single-node models),
/// at ONNX's tolerances (rtol 1e-3, atol 1e-7).
@Suite struct TrainingOpsTests {
  @Test(arguments: ["adam", "adam_multiple", "momentum", "momentum_multiple", "nesterov_momentum", "adagrad", "adagrad_multiple"])
  func backendCase(_ name: String) throws {
    let dir = try TestData.requireBackendData().appendingPathComponent("node/test_\(name)")
    let model = try ONNXReader.readModel(atPath: dir.appendingPathComponent("model.onnx").path)
    let node = try #require(model.graph?.nodes.first)
    let type = try #require(OperatorRegistry.lookup(opType: node.opType ?? "", domain: node.domain ?? ""))
    let op = try type.init(node: node, opset: 1)
    let data = dir.appendingPathComponent("test_data_set_0")
    let inputs = try (0..<node.inputs.count).map {
      try ONNXReader.readTensor(atPath: data.appendingPathComponent("input_\($0).pb").path).data
    }
    let outputs = try op.forward(inputs, context: ExecutionContext())
    #expect(outputs.count == node.outputs.count)
    for (i, got) in outputs.enumerated() {
      let expected = try ONNXReader.readTensor(atPath: data.appendingPathComponent("output_\(i).pb").path).data
      #expect(got.shape == expected.shape)
      for (a, b) in zip(got.floatValues(), expected.floatValues()) {
        #expect(abs(a - b) <= 1e-7 + 1e-3 * abs(b), "\(name) output \(i): \(a) vs \(b)")
      }
    }
  }
}
