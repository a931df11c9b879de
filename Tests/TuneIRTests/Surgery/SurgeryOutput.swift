import Foundation
import TuneIR
import TuneONNX

/// Rewritten models are written to `$ONNX_TUNE_SURGERY_OUT` (when set) so that
/// `Tests/python/check_surgery.py` can run the ONNX checker and onnxruntime on them.
enum SurgeryOutput {
  static func save(_ model: Model, as name: String) throws {
    guard let dir = ProcessInfo.processInfo.environment["ONNX_TUNE_SURGERY_OUT"], !dir.isEmpty else {
      // Still make sure the writer accepts it.
      _ = try ONNXWriter.serialize(model, keepingExternalReferences: true)
      return
    }
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    try ONNXWriter.write(model, toPath: "\(dir)/\(name).onnx", options: .init(externalData: .inline))
  }
}
