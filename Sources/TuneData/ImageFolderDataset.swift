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
/// files (any case) are listed; hidden files are ignored. Symbolic links are followed, to
/// images and to folders (a class folder may be a link), each real folder once, never into the
/// data folder or another class folder from inside a class. An unreadable image is skipped and
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
    // A link inside a class folder to the data folder or to another class folder is not
    // followed (it would loop, or give one image two labels).
    let others = Set(([directory] + folders.map { (directory as NSString).appendingPathComponent($0) }).compactMap(Self.fileID))
    for folder in folders {
      let classDirectory = (directory as NSString).appendingPathComponent(folder)
      let label = classes.firstIndex(of: folder)!
      let files = try Self.listImages(in: classDirectory, extensions: extensions, notEntering: others)
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

  /// Image files under `directory` (recursively), sorted. Symbolic links are followed (to
  /// files and to folders, the class folder itself included), each real folder is listed once
  /// (a link loop ends there) and at most 64 levels deep; hidden files and folders are skipped.
  /// A dangling link with an image extension is listed: loading it fails and is reported.
  static func listImages(in directory: String, extensions: Set<String>, notEntering: Set<[UInt64]> = []) throws -> [String] {
    var visited = notEntering
    if let own = fileID(directory) { visited.remove(own) }
    var files: [String] = []
    func walk(_ path: String, depth: Int) throws {
      var st = stat()
      guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
        if depth == 0 { throw DataError("\(path): cannot list folder") }
        return
      }
      guard visited.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted, depth <= 64 else { return }
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
        if depth == 0 { throw DataError("\(path): cannot list folder") }
        return
      }
      for name in names.sorted() where !name.hasPrefix(".") {
        let child = (path as NSString).appendingPathComponent(name)
        var cs = stat()
        if stat(child, &cs) == 0, (cs.st_mode & S_IFMT) == S_IFDIR {
          try walk(child, depth: depth + 1)
        } else if extensions.contains((name as NSString).pathExtension.lowercased()) {
          files.append(child)
        }
      }
    }
    try walk(directory, depth: 0)
    return files.sorted()
  }

  /// Device and inode of `path` (through links), or nil.
  static func fileID(_ path: String) -> [UInt64]? {
    var st = stat()
    return stat(path, &st) == 0 ? [UInt64(st.st_dev), UInt64(st.st_ino)] : nil
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
