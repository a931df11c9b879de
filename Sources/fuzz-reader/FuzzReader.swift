// A libFuzzer target for the ONNX reader (issue: fuzz the reader). Built by
// scripts/fuzz-reader.sh with `-sanitize=fuzzer,address -D FUZZING`; in a plain build it is a
// reproducer: `fuzz-reader FILE...` runs each file through the same code.
import Foundation
import TuneIR
import TuneONNX

/// An empty folder, so that external data named by a fuzzed model is never found elsewhere.
let externalFolder: String = {
  let dir = NSTemporaryDirectory() + "onnx-tune-fuzz-\(getpid())"
  try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
  return dir
}()

/// Reads the bytes as a model; when that succeeds, writes it and reads it back, which must
/// succeed and give the same model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  let bytes = UnsafeRawBufferPointer(start: data, count: size)
  guard let model = try? ONNXReader.readModel(bytes: bytes, path: "fuzz.onnx", directory: externalFolder) else {
    return 0
  }
  guard let written = try? ONNXWriter.serialize(model, keepingExternalReferences: true) else { return 0 }
  let again = written.withUnsafeBytes { try? ONNXReader.readModel(bytes: $0, path: "fuzz.onnx", directory: externalFolder) }
  if let again, again != model, !model.containsExternalData {
    fatalError("a model read back after writing differs from the one written")
  }
  return 0
}

extension TuneIR.Model {
  var containsExternalData: Bool {
    var found = false
    forEachTensor { if $0.encoding == .external { found = true } }
    return found
  }
}

#if FUZZING
  // SwiftPM links an executable's entry point as `<target>_main`; hand control to libFuzzer.
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
  ) -> CInt

  @_cdecl("fuzz_reader_main")
  public func fuzzReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { fuzzOneInput($0, $1) }
  }
#else
  @main struct Reproduce {
    static func main() {
      for path in CommandLine.arguments.dropFirst() {
        guard let data = FileManager.default.contents(atPath: path) else {
          FileHandle.standardError.write(Data("fuzz-reader: cannot read \(path)\n".utf8))
          exit(1)
        }
        _ = data.withUnsafeBytes { fuzzOneInput($0.bindMemory(to: UInt8.self).baseAddress, data.count) }
        print("ok \(path)")
      }
    }
  }
#endif
