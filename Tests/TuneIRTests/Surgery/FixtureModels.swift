import Foundation
import TuneIR
import TuneONNX
import TuneTestSupport

/// The fixture models of `fixtures/models`, one per exporter style.
enum FixtureModels {
  static let all = ["torch_cnn", "paddle_style", "tf_style_nhwc", "external_data/model"]

  static func path(_ name: String) -> String {
    TestData.fixtures.appendingPathComponent("models/\(name).onnx").path
  }

  static func load(_ name: String) throws -> Model {
    try ONNXReader.readModel(atPath: path(name))
  }
}
