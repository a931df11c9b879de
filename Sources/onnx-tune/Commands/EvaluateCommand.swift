import Foundation
import TuneData
import TuneIR
import TuneONNX
import TuneRuntime
import TuneTensor

/// `onnx-tune evaluate MODEL --data PATH`: accuracy, per-class precision and recall, and the
/// confusion matrix, using the preprocessing stored in the model's metadata when present.
enum EvaluateCommand: CLICommand {
  static let name = "evaluate"
  static let summary = "Accuracy, per-class precision/recall and confusion matrix on a dataset"
  static let help = """
    Usage: onnx-tune evaluate MODEL --data PATH [--labels FILE] [--size HxW] [--normalize PRESET]
                              [--batch-size N] [--json]

    Runs MODEL on every sample of PATH (an image folder with one subfolder per class, .npz,
    .npy with --labels, or CSV) and reports accuracy, precision and recall per class, and the
    confusion matrix (rows: true class, columns: predicted). Image size, layout and
    normalization come from the model's onnx_tune.preprocessing metadata when present, else
    from its input shape and [0,1]; --size and --normalize override them. Class names come
    from the model's onnx_tune.class_names metadata when present.

    Options:
      --json          print the figures as one JSON document
      -h, --help      show this help
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let json = arguments.flag("--json")
    let labels = try arguments.option("--labels")
    let size = try arguments.option("--size")
    let normalize = try arguments.option("--normalize")
    let batchSize = try arguments.intOption("--batch-size", in: 1...65536) ?? 64
    guard let data = try arguments.option("--data") else { throw CLIError(message: "evaluate: --data PATH is required", usage: true) }
    let path = try arguments.positionals(["MODEL"])[0]
    let model = try ONNXReader.readModel(atPath: path)
    let stored = model.metadata("onnx_tune.preprocessing").flatMap(StoredPreprocessing.init(json:))
    let modelClasses = model.metadata(ClassNamesMetadata.key).flatMap(ClassNamesMetadata.decode)
    let input = model.graph?.runtimeInputs.first
    let inputShape = (input?.type?.tensorDims ?? []).map { Int($0.fixedValue ?? -1) }
    var normalization: ImagePreprocessing.Normalization = .zeroToOne
    if let n = normalize {
      guard let parsed = ImagePreprocessing.Normalization(name: n) else {
        throw CLIError(message: "evaluate: --normalize must be imagenet, [-1,1] or [0,1], got '\(n)'", usage: true)
      }
      normalization = parsed
    } else if let mean = stored?.mean, let std = stored?.std {
      normalization = .custom(mean: mean, std: std)
    }
    var height = stored?.size?.first
    var width = stored?.size?.last
    if let size {
      let parts = size.lowercased().split(separator: "x").compactMap { Int($0) }
      guard parts.count == 2, parts.allSatisfy({ $0 > 0 }) else {
        throw CLIError(message: "evaluate: --size expects HxW, got '\(size)'", usage: true)
      }
      height = parts[0]
      width = parts[1]
    }
    var isDirectory: ObjCBool = false
    let folder = FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory) && isDirectory.boolValue
    let preprocessing = folder ? try ImagePreprocessing(inputShape: inputShape, height: height, width: width, normalization: normalization) : nil
    let dataset = try DatasetReader.open(data, labels: labels, preprocessing: preprocessing, classNames: modelClasses)
    let names = modelClasses ?? dataset.classNames
    let report = BadDataReport { printError("warning: skipping \($0.path): \($0.reason)") }
    let source = DatasetBatchSource(dataset, augment: false, seed: 0, report: report)
    let plan = try ExecutionPlan(model: model)
    guard let inputName = input?.name else { throw CLIError(message: "evaluate: \(path): the model has no input") }
    let k = names.count
    var confusion = [[Int]](repeating: [Int](repeating: 0, count: k), count: k)
    for start in stride(from: 0, to: source.count, by: batchSize) {
      let (x, y) = try source.batch(Array(start..<min(start + batchSize, source.count)))
      let out = try Executor.run(plan, inputs: [inputName: x])[0].floatValues()
      let c = out.count / max(y.count, 1)
      guard c == k else {
        throw CLIError(message: "evaluate: the model gives \(c) scores per sample, the data has \(k) classes")
      }
      for (i, label) in y.enumerated() {
        let row = out[(i * c)..<((i + 1) * c)]
        let predicted = row.firstIndex(of: row.max()!)! - row.startIndex
        confusion[label][predicted] += 1
      }
    }
    let total = confusion.joined().reduce(0, +)
    let correct = (0..<k).reduce(0) { $0 + confusion[$1][$1] }
    let accuracy = Double(correct) / Double(max(total, 1))
    let precision = (0..<k).map { c -> Double in
      let predicted = (0..<k).reduce(0) { $0 + confusion[$1][c] }
      return predicted == 0 ? 0 : Double(confusion[c][c]) / Double(predicted)
    }
    let recall = (0..<k).map { c -> Double in
      let actual = confusion[c].reduce(0, +)
      return actual == 0 ? 0 : Double(confusion[c][c]) / Double(actual)
    }
    if json {
      print(
        JSON.object([
          ("model", .string(path)), ("data", .string(data)), ("samples", .int(total)), ("accuracy", .double(accuracy)),
          ("classes", .array(names.map(JSON.string))), ("precision", .array(precision.map(JSON.double))),
          ("recall", .array(recall.map(JSON.double))),
          ("confusion", .array(confusion.map { .array($0.map(JSON.int)) })),
        ]).rendered())
    } else {
      print(String(format: "Accuracy: %.4f (%d of %d)", accuracy, correct, total))
      let width = max(8, (names.map(\.count).max() ?? 0) + 2)
      print("\n" + padded("class", width) + "precision  recall  samples")
      for c in 0..<k {
        print(padded(names[c], width) + String(format: "%9.4f  %6.4f  %7d", precision[c], recall[c], confusion[c].reduce(0, +)))
      }
      print("\nConfusion matrix (rows: true class, columns: predicted):")
      print(padded("", width) + names.map { padded($0, 6) }.joined())
      for c in 0..<k { print(padded(names[c], width) + confusion[c].map { padded(String($0), 6) }.joined()) }
    }
    if let summary = report.summary { print("Bad data: \(summary)") }
    return 0
  }
}
