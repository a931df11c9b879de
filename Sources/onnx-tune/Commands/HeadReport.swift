import TuneIR

/// The `--head` report of `inspect` (and the head part of `plan`).
enum HeadReport {
  static func render(_ model: Model, path: String, options: HeadDetector.Options, json: Bool) throws -> String {
    let head: ClassifierHead
    do {
      head = try HeadDetector.detect(model, options: options)
    } catch let e as SurgeryError {
      throw CLIError(message: "inspect: \(path): \(e.message)")
    }
    let graph = model.graph ?? Graph()
    if json {
      let doc: JSON = .object([
        ("path", .string(path)),
        ("selection", .string(head.selection)),
        ("output", .string(head.output)),
        ("classes", head.numberOfClasses.map { .int($0) } ?? .null),
        ("output_activation", head.outputActivation.map(JSON.string) ?? .null),
        ("feature_tensor", .string(head.featureTensor)),
        ("feature_shape", .string(head.featureShape?.description ?? "?")),
        (
          "nodes",
          .array(head.nodeIndices.map { i in
            .object([("index", .int(i)), ("op_type", .string(graph.nodes[i].opType ?? "?")), ("name", .string(graph.nodes[i].name ?? ""))])
          })
        ),
        (
          "layers",
          .array(head.layers.map { l in
            .object([
              ("kind", .string(l.kind.rawValue)), ("weight", .string(l.weight)), ("bias", l.bias.map(JSON.string) ?? .null),
              ("in_features", l.inFeatures.map { .int($0) } ?? .null), ("out_features", l.outFeatures.map { .int($0) } ?? .null),
            ])
          })
        ),
        (
          "weights",
          .array(head.weights.map { w in
            .object([("name", .string(w.name)), ("shape", .array(w.shape.map(JSON.int))), ("source", .string(w.source.description))])
          })
        ),
      ])
      return doc.rendered()
    }
    return text(head, graph: graph, path: path)
  }

  static func text(_ head: ClassifierHead, graph: Graph, path: String) -> String {
    var out = "Classifier head of \(path) (\(head.selection)):\n"
    out += "  output:         \(head.output)\n"
    out += "  classes:        \(head.numberOfClasses.map(String.init) ?? "?")\n"
    out += "  activation:     \(head.outputActivation ?? "none (logits)")\n"
    out += "  feature tensor: \(head.featureTensor) \(head.featureShape?.description ?? "?")\n"
    out += "\nHead nodes (\(head.nodeIndices.count)):\n"
    for i in head.nodeIndices {
      let n = graph.nodes[i]
      out += "  \(padded(String(i), 5))\(padded(n.opType ?? "?", 20))\(n.name ?? "")\n"
    }
    if !head.layers.isEmpty {
      out += "\nDense layers (last first):\n"
      for l in head.layers {
        let dims = "\(l.inFeatures.map(String.init) ?? "?") -> \(l.outFeatures.map(String.init) ?? "?")"
        out += "  \(padded(l.kind.rawValue, 12))\(padded(dims, 14))weight \(l.weight)\(l.bias.map { ", bias \($0)" } ?? "")\n"
      }
    }
    out += "\nHead weights (\(head.weights.count), \(head.weights.reduce(0) { $0 + $1.shape.reduce(1, *) }) elements):\n"
    for w in head.weights {
      out += "  \(w.name) [\(w.shape.map(String.init).joined(separator: ","))]  (\(w.source))\n"
    }
    return out
  }
}
