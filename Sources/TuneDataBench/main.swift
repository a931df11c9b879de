// Decodes and preprocesses every image of a folder, as scripts/bench-data.py does with Pillow +
// NumPy, and prints images per second. Usage: tune-data-bench <folder> [repeats]
// Work per image: decode (libpng/libjpeg), RGB, resize shorter side to 256 (antialiased
// bilinear), center crop 224x224, /255, ImageNet mean/std, NCHW float32. The `-draft` set
// lets libjpeg decode at a reduced scale (fastJPEGDownscaling; Pillow: Image.draft).
import Foundation
import TuneData

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
  FileHandle.standardError.write("usage: tune-data-bench <folder> [repeats]\n".data(using: .utf8)!)
  exit(2)
}
let folder = arguments[1]
let repeats = arguments.count > 2 ? Int(arguments[2]) ?? 3 : 3
let files = try FileManager.default.contentsOfDirectory(atPath: folder)
  .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".png") }.sorted()
  .map { (folder as NSString).appendingPathComponent($0) }
let exact = ImagePreprocessing(
  height: 224, width: 224, resize: .shorterSide(256), normalization: .imagenet, layout: .nchw, channels: 3)
var fast = exact
fast.fastJPEGDownscaling = true

func measure(_ name: String, _ paths: [String], _ preprocessing: ImagePreprocessing) throws {
  guard !paths.isEmpty else { return }
  var output = [Float](repeating: 0, count: 3 * 224 * 224)
  var checksum: Double = 0
  var best = Double.infinity
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    for path in paths {
      let image = try ImageDecoder.decode(path: path, minimumSize: preprocessing.minimumDecodeSize(augmentation: nil))
      var generator = SeededGenerator(seed: 0)
      let prepared = preprocessing.prepare(image, augmentation: nil, using: &generator)
      output.withUnsafeMutableBufferPointer { preprocessing.write(prepared, into: $0) }
      checksum += Double(output[1000])
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  print(
    "{\"impl\": \"swift\", \"set\": \"\(name)\", \"images\": \(paths.count), \"seconds\": \(best), "
      + "\"images_per_second\": \(Double(paths.count) / best), \"checksum\": \(checksum / Double(repeats))}")
}

/// Decoding alone (no resize/normalize), to see where the time goes.
func measureDecode(_ name: String, _ paths: [String]) throws {
  guard !paths.isEmpty else { return }
  var best = Double.infinity
  var checksum: Double = 0
  for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    for path in paths {
      let image = try ImageDecoder.decode(path: path)
      if case .uint8(let v) = image.samples { checksum += Double(v[1000]) }
    }
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
  print(
    "{\"impl\": \"swift\", \"set\": \"\(name)\", \"images\": \(paths.count), \"seconds\": \(best), "
      + "\"images_per_second\": \(Double(paths.count) / best), \"checksum\": \(checksum / Double(repeats))}")
}

let name = { (path: String) in (path as NSString).lastPathComponent }
try measure("jpeg-640x480", files.filter { name($0).hasPrefix("img") && $0.hasSuffix(".jpg") }, exact)
try measure("png-500x375", files.filter { name($0).hasPrefix("img") && $0.hasSuffix(".png") }, exact)
try measure("jpeg-2000x1500", files.filter { name($0).hasPrefix("large") }, exact)
try measure("jpeg-2000x1500-draft", files.filter { name($0).hasPrefix("large") }, fast)
try measureDecode("jpeg-640x480-decode-only", files.filter { name($0).hasPrefix("img") && $0.hasSuffix(".jpg") })

// TUNE_BENCH_STAGES=1: time decode, resize (+crop), normalize/layout separately.
if ProcessInfo.processInfo.environment["TUNE_BENCH_STAGES"] == "1" {
  let paths = files.filter { name($0).hasPrefix("img") && $0.hasSuffix(".jpg") }
  var decode = 0.0
  var resize = 0.0
  var write = 0.0
  var output = [Float](repeating: 0, count: 3 * 224 * 224)
  for _ in 0..<repeats {
    for path in paths {
      let t0 = DispatchTime.now().uptimeNanoseconds
      let image = try ImageDecoder.decode(path: path)
      let t1 = DispatchTime.now().uptimeNanoseconds
      var generator = SeededGenerator(seed: 0)
      let prepared = exact.prepare(image, augmentation: nil, using: &generator)
      let t2 = DispatchTime.now().uptimeNanoseconds
      output.withUnsafeMutableBufferPointer { exact.write(prepared, into: $0) }
      let t3 = DispatchTime.now().uptimeNanoseconds
      decode += Double(t1 - t0)
      resize += Double(t2 - t1)
      write += Double(t3 - t2)
    }
  }
  let n = Double(paths.count * repeats) * 1e6
  FileHandle.standardError.write(
    "stages per image: decode \(decode / n) ms, resize+crop \(resize / n) ms, normalize+layout \(write / n) ms\n"
      .data(using: .utf8)!)
}
