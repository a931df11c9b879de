import Foundation
import Testing
import TuneTestSupport

/// `inspect --head` and `plan` through the built binary.
@Suite struct SurgeryCommandTests {
  static func model(_ name: String) -> String { TestData.fixtures.appendingPathComponent("models/\(name).onnx").path }

  @Test func inspectHeadOnEveryExporterStyle() throws {
    let cases = [
      ("torch_cnn", "feature tensor: /Flatten_output_0 float[batch,16]", "fc.weight [10,16]  (initializer)"),
      ("paddle_style", "feature tensor: reshape2_0.tmp_0 float[p2o.DynamicDimension.0,64]", "linear_0.w_0 [64,10]  (Constant node 'p2o.Constant.3')"),
      ("tf_style_nhwc", "feature tensor: StatefulPartitionedCall/model/flatten/Reshape:0 float[unk__24,128]", "MatMul+Add"),
      ("external_data/model", "feature tensor: relu2_out float[batch,32]", "fc2.weight [10,32]"),
    ]
    for (name, feature, weight) in cases {
      let r = try CLIRunner.run(["inspect", Self.model(name), "--head"])
      #expect(r.status == 0, "\(name): \(r.stderr)")
      #expect(r.stdout.contains(feature), "\(name): \(r.stdout)")
      #expect(r.stdout.contains(weight), "\(name): \(r.stdout)")
    }
    let popped = try CLIRunner.run(["inspect", Self.model("external_data/model"), "--pop", "2"])
    #expect(popped.stdout.contains("feature tensor: flat float[batch,1024]"))
    let json = try CLIRunner.run(["inspect", Self.model("torch_cnn"), "--head", "--json"])
    #expect(json.stdout.contains("\"feature_tensor\": \"/Flatten_output_0\""))
    let bad = try CLIRunner.run(["inspect", Self.model("torch_cnn"), "--cut-at", "nope"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("no value or node named 'nope'"))
  }

  @Test func planReportsHeadParametersAndGradientPath() throws {
    let r = try CLIRunner.run([
      "plan", Self.model("torch_cnn"), "--head", "dense:32:relu,dropout:0.3,batchnorm,dense:CLASSES", "--classes", "5",
    ])
    #expect(r.stdout.contains("New head: dense:32:relu,dropout:0.3,batchnorm,dense:CLASSES with 5 classes"))
    #expect(r.stdout.contains("trainable: 773 in 6 tensors"))
    #expect(r.stdout.contains("/features/features.1/BatchNormalization     frozen (inference mode"))
    #expect(r.stdout.contains("Gradient path"))
    // Every op of this head has a gradient rule: the backward driver is built.
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("Gemm                head/dense_1/Gemm"))
    #expect(r.stdout.contains("backward pass: ok"))
  }

  @Test func planFailsNamingANodeWithoutGradient() throws {
    // Training the whole backbone: exit 0 once every op has a rule, else 1 naming the node.
    let r = try CLIRunner.run(["plan", Self.model("torch_cnn"), "--freeze", "none"])
    #expect(r.stdout.contains("/features/features.0/Conv"))
    if r.status == 0 {
      #expect(r.stdout.contains("backward pass: ok"))
    } else {
      #expect(r.status == 1)
      #expect(r.stderr.contains("onnx-tune plan: node '"), "\(r.stderr)")
      #expect(r.stdout.contains("gradient: NO"))
    }
  }

  @Test func planUsageErrors() throws {
    let spec = try CLIRunner.run(["plan", Self.model("torch_cnn"), "--head", "dense:256:swish"])
    #expect(spec.status == 2)
    #expect(spec.stderr.contains("head spec item 1 'dense:256:swish'"))
    let freeze = try CLIRunner.run(["plan", Self.model("torch_cnn"), "--freeze", "most"])
    #expect(freeze.status == 2)
    #expect(freeze.stderr.contains("freeze policy 'most'"))
  }
}
