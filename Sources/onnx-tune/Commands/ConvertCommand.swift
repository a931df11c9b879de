import TuneIR
import TuneONNX

/// `onnx-tune convert IN OUT`: read a model and write it back, optionally moving weights into
/// an external data file.
enum ConvertCommand: CLICommand {
  static let name = "convert"
  static let summary = "Read a model and write it back (optionally with external data)"
  static let help = """
    Usage: onnx-tune convert IN OUT [--external-data] [--external-threshold BYTES] [--inline] [--opset N]

    Reads the ONNX model IN and writes it to OUT, keeping every field as it came. OUT is written
    atomically (temporary file + rename); an existing OUT is replaced only when writing succeeded.

    Options:
      --external-data             Move tensors of at least --external-threshold bytes into one
                                  file 'OUT.data' beside OUT (location, offset, length recorded).
      --external-threshold BYTES  Size from which a tensor goes external (default 1024).
      --inline                    Write every tensor inline, including ones IN keeps externally.
      --opset N                   Upgrade the default-domain opset to N (from 11 or later, up
                                  to 21), rewriting the ops whose attributes became inputs.
      -h, --help                  Show this help.

    Without either option, tensors IN keeps in external files stay external (written beside
    OUT) and the rest inline; a model over protobuf's 2 GiB limit is externalized by itself.
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let external = arguments.flag("--external-data")
    let inline = arguments.flag("--inline")
    let threshold = try arguments.intOption("--external-threshold", in: 0...Int.max)
    let opset = try arguments.intOption("--opset", in: 1...100)
    let paths = try arguments.positionals(["IN", "OUT"])
    if external && inline {
      throw CLIError(message: "convert: --external-data and --inline contradict each other", usage: true)
    }
    if threshold != nil && !external {
      throw CLIError(message: "convert: --external-threshold needs --external-data", usage: true)
    }
    var model = try ONNXReader.readModel(atPath: paths[0])
    if let opset { try OpsetUpgrade.upgrade(&model, to: opset) }
    var options = ONNXWriter.Options()
    if external { options.externalData = .externalize(thresholdBytes: threshold ?? 1024) }
    if inline { options.externalData = .inline }
    try ONNXWriter.write(model, toPath: paths[1], options: options)
    return 0
  }
}
