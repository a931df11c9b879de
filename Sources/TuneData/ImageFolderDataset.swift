import Foundation

/// A folder of images with one subfolder per class (Keras' `image_dataset_from_directory`):
///
/// ```
/// photos/
///   cat/ 001.jpg 002.png ...
///   dog/ ...
/// ```
///
/// Class names are the subfolder names in sorted order; files are listed in sorted order and
/// decoded lazily, so the folder may be larger than memory. Only `.png`, `.jpg` and `.jpeg`
/// files (any case) are listed; hidden files are ignored. An unreadable image is skipped and
/// counted by the loader; an empty class folder or fewer than two classes is an error.
///
/// ```swift
/// let train = try ImageFolderDataset(
///   directory: "photos/train", preprocessing: ImagePreprocessing(height: 224, width: 224),
///   augmentation: .standard)
/// let validation = try ImageFolderDataset(
///   directory: "photos/val", preprocessing: train.preprocessing, classNames: train.classNames)
/// ```
public struct ImageFolderDataset: Dataset {
  public let directory: String
  public let classNames: [String]
  /// Absolute or root-relative paths of the images, by sample index.
  public let paths: [String]
  public let labels: [Int]
  public var preprocessing: ImagePreprocessing
  /// Applied to training batches only (the loader's `augment`).
  public var augmentation: Augmentation?

  /// The file extensions listed by default.
  public static let defaultExtensions: Set<String> = ["png", "jpg", "jpeg"]

  /// Lists `directory`.
  /// - Parameters:
  ///   - classNames: the training classes, when this is a separate validation folder: its
  ///     subfolders must be among them and labels follow their order (a class may be absent).
  ///   - extensions: lower-case file extensions to list.
  public init(
    directory: String, preprocessing: ImagePreprocessing, augmentation: Augmentation? = nil,
    classNames: [String]? = nil, extensions: Set<String> = ImageFolderDataset.defaultExtensions
  ) throws {
    try preprocessing.validate()
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw DataError("\(directory): not a directory (expected one subfolder of images per class)")
    }
    let entries = try fm.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }.sorted()
    let folders = entries.filter { name in
      var dir: ObjCBool = false
      return fm.fileExists(atPath: (directory as NSString).appendingPathComponent(name), isDirectory: &dir)
        && dir.boolValue
    }
    let classes = classNames ?? folders
    guard classes.count >= 2 else {
      throw DataError(
        "\(directory): found \(folders.count) class folder\(folders.count == 1 ? "" : "s")"
          + (folders.isEmpty ? "" : " (\(folders.joined(separator: ", ")))")
          + "; a classifier needs at least 2 (one subfolder of images per class)")
    }
    if let classNames, let unknown = folders.first(where: { !classNames.contains($0) }) {
      throw DataError(
        "\(directory): class folder '\(unknown)' is not one of the training classes \(classNames)")
    }
    var paths: [String] = []
    var labels: [Int] = []
    for folder in folders {
      let classDirectory = (directory as NSString).appendingPathComponent(folder)
      let label = classes.firstIndex(of: folder)!
      let files = try Self.listImages(in: classDirectory, extensions: extensions)
      if files.isEmpty {
        throw DataError(
          "\(classDirectory): class folder '\(folder)' has no images (\(extensions.sorted().joined(separator: ", ")))")
      }
      paths += files
      labels += Array(repeating: label, count: files.count)
    }
    self.directory = directory
    self.classNames = classes
    self.paths = paths
    self.labels = labels
    self.preprocessing = preprocessing
    self.augmentation = augmentation
  }

  /// Image files under `directory` (recursively), sorted.
  static func listImages(in directory: String, extensions: Set<String>) throws -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
      throw DataError("\(directory): cannot list folder")
    }
    var files: [String] = []
    while let relative = enumerator.nextObject() as? String {
      let name = (relative as NSString).lastPathComponent
      if name.hasPrefix(".") { continue }
      let ext = (name as NSString).pathExtension.lowercased()
      guard extensions.contains(ext) else { continue }
      files.append((directory as NSString).appendingPathComponent(relative))
    }
    return files.sorted()
  }

  public var count: Int { paths.count }
  public var sampleShape: [Int] { preprocessing.sampleShape }

  public func loadSample(
    at index: Int, into destination: UnsafeMutableBufferPointer<Float>, augment: Bool,
    using generator: inout SeededGenerator
  ) throws {
    let active = augment ? augmentation : nil
    let image = try ImageDecoder.decode(
      path: paths[index], minimumSize: preprocessing.minimumDecodeSize(augmentation: active))
    let prepared = preprocessing.prepare(
      image, augmentation: active, using: &generator)
    preprocessing.write(prepared, into: destination)
  }

  public func sampleName(at index: Int) -> String { paths[index] }
}
