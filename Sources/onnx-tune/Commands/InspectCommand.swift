import Foundation
import TuneIR
import TuneONNX

/// `onnx-tune inspect MODEL [--json]`: a summary in the spirit of Keras' `model.summary()`.
enum InspectCommand: CLICommand {
  static let name = "inspect"
  static let summary = "Summarize a model: inputs, outputs, nodes, parameters, opsets"
  static let help = """
    Usage: onnx-tune inspect MODEL [--json] [--head [--cut-at TENSOR | --pop N]]

    Prints the producer, IR version and opsets; inputs and outputs with element types and shapes
    (symbolic dims by name); every node in order with its op type, name and output shapes where
    the model records them; parameter counts (initializers, and weights held in Constant nodes,
    counted separately); a histogram of op types; and the metadata.

    Options:
      --json          Print the same as one JSON document.
      --head          Print only the classifier head: its nodes, its weights, the number of
                      classes and the feature tensor feeding it (with its shape).
      --cut-at TENSOR With --head: take TENSOR (or a node name) as the feature tensor.
      --pop N         With --head: take the last N weight layers as the head.
      -h, --help      Show this help.
    """

  static func run(_ arguments: inout Arguments) throws -> Int32 {
    let json = arguments.flag("--json")
    let head = arguments.flag("--head")
    let cutAt = try arguments.option("--cut-at")
    let pop = try arguments.intOption("--pop", in: 1...10_000)
    let path = try arguments.positionals(["MODEL"])[0]
    let model = try ONNXReader.readModel(atPath: path)
    if head || cutAt != nil || pop != nil {
      print(try HeadReport.render(model, path: path, options: .init(cutAt: cutAt, pop: pop), json: json))
      return 0
    }
    let s = ModelSummary(model)
    print(json ? renderJSON(s, path: path) : renderText(s, path: path))
    return 0
  }

  static func renderText(_ s: ModelSummary, path: String) -> String {
    var out = "Model: \(path)\n"
    out += "  producer:   \(s.producer.isEmpty ? "(none)" : s.producer)\n"
    out += "  IR version: \(s.irVersion.map(String.init) ?? "(none)")\n"
    out += "  opsets:     \(s.opsets.map { "\($0.domain) \($0.version)" }.joined(separator: ", "))\n"
    if !s.graphName.isEmpty { out += "  graph:      \(s.graphName)\n" }
    if let d = s.docString, !d.isEmpty { out += "  doc:        \(d.split(separator: "\n").first ?? "")\n" }
    let nameWidth = min(40, max(12, (s.inputs + s.outputs).map(\.name.count).max() ?? 0) + 2)
    out += "\nInputs:\n"
    for v in s.inputs { out += "  \(padded(v.name, nameWidth))\(v.typeDescription)\n" }
    out += "\nOutputs:\n"
    for v in s.outputs { out += "  \(padded(v.name, nameWidth))\(v.typeDescription)\n" }
    out += "\nNodes (\(s.nodes.count)):\n"
    let opWidth = min(28, max(10, s.nodes.map { $0.opType.count + ($0.domain.isEmpty ? 0 : $0.domain.count + 1) }.max() ?? 0) + 2)
    let nodeNameWidth = min(40, max(6, s.nodes.map(\.name.count).max() ?? 0) + 2)
    let indexWidth = String(max(s.nodes.count - 1, 0)).count + 2
    out += "  " + padded("#", indexWidth) + padded("op type", opWidth) + padded("name", nodeNameWidth) + "outputs\n"
    for n in s.nodes {
      let op = n.domain.isEmpty || n.domain == "ai.onnx" ? n.opType : "\(n.domain).\(n.opType)"
      let outs = n.outputs.map { $0.type == "?" ? $0.name : "\($0.name) \($0.typeDescription)" }.joined(separator: ", ")
      let sub = n.subgraphNodes > 0 ? "  (+\(n.subgraphNodes) nodes in subgraphs)" : ""
      out += "  " + padded(String(n.index), indexWidth) + padded(op, opWidth) + padded(n.name, nodeNameWidth) + outs + sub + "\n"
    }
    out += "\nParameters:\n"
    out += "  initializers:   \(grouped(s.initializerParameters)) in \(s.initializerCount) tensors (\(bytes(s.initializerBytes)))\n"
    out += "  Constant nodes: \(grouped(s.constantParameters)) in \(s.constantCount) tensors (\(bytes(s.constantBytes)))\n"
    out += "  total:          \(grouped(s.initializerParameters + s.constantParameters))\n"
    out += "\nOp types:\n"
    for (op, count) in s.opHistogram { out += "  \(padded(op, opWidth))\(count)\n" }
    if !s.functions.isEmpty { out += "\nFunctions: \(s.functions.joined(separator: ", "))\n" }
    if !s.metadata.isEmpty {
      out += "\nMetadata:\n"
      for (k, v) in s.metadata { out += "  \(k) = \(v)\n" }
    }
    return out
  }

  static func renderJSON(_ s: ModelSummary, path: String) -> String {
    func value(_ v: ModelSummary.Value) -> JSON {
      .object([
        ("name", .string(v.name)), ("type", .string(v.type)),
        ("shape", v.shape.map { .array($0.map { d in Int(d).map(JSON.int) ?? .string(d) }) } ?? .null),
      ])
    }
    let doc: JSON = .object([
      ("path", .string(path)),
      ("producer", .string(s.producer)),
      ("ir_version", s.irVersion.map { .int(Int($0)) } ?? .null),
      ("opsets", .array(s.opsets.map { .object([("domain", .string($0.domain)), ("version", .int(Int($0.version)))]) })),
      ("graph_name", .string(s.graphName)),
      ("inputs", .array(s.inputs.map(value))),
      ("outputs", .array(s.outputs.map(value))),
      (
        "nodes",
        .array(
          s.nodes.map { n in
            .object([
              ("index", .int(n.index)), ("op_type", .string(n.opType)), ("domain", .string(n.domain)),
              ("name", .string(n.name)), ("inputs", .array(n.inputs.map(JSON.string))),
              ("outputs", .array(n.outputs.map(value))), ("subgraph_nodes", .int(n.subgraphNodes)),
            ])
          })
      ),
      (
        "parameters",
        .object([
          ("initializers", .object([("tensors", .int(s.initializerCount)), ("elements", .int(s.initializerParameters)), ("bytes", .int(s.initializerBytes))])),
          ("constant_nodes", .object([("tensors", .int(s.constantCount)), ("elements", .int(s.constantParameters)), ("bytes", .int(s.constantBytes))])),
          ("total_elements", .int(s.initializerParameters + s.constantParameters)),
        ])
      ),
      ("op_types", .object(s.opHistogram.map { ($0.opType, .int($0.count)) })),
      ("functions", .array(s.functions.map(JSON.string))),
      ("metadata", .object(s.metadata.map { ($0.key, .string($0.value)) })),
    ])
    return doc.rendered()
  }

  static func grouped(_ n: Int) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.reversed().enumerated() {
      if i > 0 && i % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return String(out.reversed())
  }

  static func bytes(_ n: Int) -> String {
    if n < 1024 { return "\(n) B" }
    let units = ["KiB", "MiB", "GiB", "TiB"]
    var v = Double(n) / 1024
    var u = 0
    while v >= 1024 && u < units.count - 1 {
      v /= 1024
      u += 1
    }
    return String(format: "%.1f %@", v, units[u])
  }
}
