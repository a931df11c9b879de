import Foundation

/// How class names travel in an exported model's `metadata_props`: key `class_names`, value a
/// JSON array of strings in label order (`["cat","dog"]`), readable from any ONNX runtime
/// (`onnxruntime.InferenceSession(...).get_modelmeta().custom_metadata_map`).
public enum ClassNamesMetadata {
  public static let key = "onnx_tune.class_names"

  /// The JSON array text for `names`.
  public static func encode(_ names: [String]) -> String {
    let data = try! JSONSerialization.data(withJSONObject: names, options: [.withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self)
  }

  /// The names in a `class_names` value, or nil when it is not a JSON array of strings.
  public static func decode(_ value: String) -> [String]? {
    guard let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) else { return nil }
    return object as? [String]
  }
}
