import Foundation

/// Opens a dataset from what the user points at, choosing the reader by what the path is:
///
/// | path | reader |
/// |---|---|
/// | a directory | ``ImageFolderDataset`` (one subfolder per class) |
/// | `*.npz` | ``TensorDataset/init(npz:featuresKey:labelsKey:classNames:)`` |
/// | `*.npy` (+ `labels:` another `.npy`) | ``TensorDataset/init(npy:labels:classNames:)`` |
/// | `*.csv`, `*.csv.gz`, `*.txt` | ``CSVDataset/load(path:options:)`` |
///
/// ```swift
/// let data = try DatasetReader.open("photos/", preprocessing: try ImagePreprocessing(inputShape: [1, 3, 224, 224]))
/// ```
public enum DatasetReader {
  /// - Parameters:
  ///   - path: folder or file.
  ///   - labels: the labels `.npy` when `path` is a features `.npy`.
  ///   - preprocessing: required for image folders.
  ///   - augmentation: image folders only (applied when the loader augments).
  ///   - classNames: the training classes, for a separate validation set.
  ///   - csv: CSV options.
  public static func open(
    _ path: String, labels: String? = nil, preprocessing: ImagePreprocessing? = nil,
    augmentation: Augmentation? = nil, classNames: [String]? = nil,
    csv: CSVDataset.Options = CSVDataset.Options()
  ) throws -> any Dataset {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw DataError("\(path): no such file or folder")
    }
    if isDirectory.boolValue {
      guard let preprocessing else {
        throw DataError("\(path): an image folder needs the image size and layout (preprocessing)")
      }
      return try ImageFolderDataset(
        directory: path, preprocessing: preprocessing, augmentation: augmentation, classNames: classNames)
    }
    let lower = path.lowercased()
    if lower.hasSuffix(".npz") { return try TensorDataset(npz: path, classNames: classNames) }
    if lower.hasSuffix(".npy") {
      guard let labels else {
        throw DataError("\(path): a .npy holds one array; give the labels .npy too (or use an .npz with x and y)")
      }
      return try TensorDataset(npy: path, labels: labels, classNames: classNames)
    }
    if lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") || lower.hasSuffix(".txt") || lower.hasSuffix(".tsv") {
      var options = csv
      if options.classNames == nil { options.classNames = classNames }
      if lower.hasSuffix(".tsv") { options.delimiter = UInt8(ascii: "\t") }
      return try CSVDataset.load(path: path, options: options)
    }
    throw DataError("\(path): unknown dataset type (expected a folder of class subfolders, .npz, .npy or .csv)")
  }
}
