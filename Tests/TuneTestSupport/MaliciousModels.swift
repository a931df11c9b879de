import Foundation
import TuneIR
import TuneONNX
import TuneTensor

/// Models no exporter would write, built in memory for the untrusted-input tests of the reader,
/// the runtime and the CLI (issue 9, item 2). The writer does not validate graphs, so each can
/// be serialized and then read back through the path a user's file takes.
public enum MaliciousModels {
  /// A model around `graph` (IR 8, opset 13).
  public static func model(_ graph: Graph, opset: Int64 = 13) -> Model {
    Model(
      irVersion: 8, opsetImports: [OperatorSetID(domain: "", version: opset)], producerName: "onnx-tune-malicious",
      graph: graph)
  }

  public static func input(_ name: String, _ dims: [Int64], _ type: DType = .float) -> ValueInfo {
    ValueInfo(name: name, type: .tensor(type, dims.map { .value($0) }))
  }

  public static func output(_ name: String) -> ValueInfo { ValueInfo(name: name) }

  /// `x → A: Add(x, b) → a → B: Relu(a) → b`: A reads B's output and B reads A's.
  public static func cycle() -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Add", inputs: ["x", "b"], outputs: ["a"], name: "A"),
          Node(opType: "Relu", inputs: ["a"], outputs: ["b"], name: "B"),
        ], name: "cycle", inputs: [input("x", [1, 3])], outputs: [output("b")]))
  }

  /// A node reading its own output.
  public static func selfLoop() -> Model {
    model(
      Graph(
        nodes: [Node(opType: "Add", inputs: ["x", "y"], outputs: ["y"], name: "loop")], name: "self-loop",
        inputs: [input("x", [1, 3])], outputs: [output("y")]))
  }

  /// A cycle of three nodes behind a valid prefix (`Relu` first), in file order C, B, A.
  public static func longCycle() -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Relu", inputs: ["x"], outputs: ["r"], name: "ok"),
          Node(opType: "Add", inputs: ["r", "c"], outputs: ["a"], name: "A"),
          Node(opType: "Neg", inputs: ["a"], outputs: ["b"], name: "B"),
          Node(opType: "Abs", inputs: ["b"], outputs: ["c"], name: "C"),
        ], name: "long-cycle", inputs: [input("x", [1, 3])], outputs: [output("c")]))
  }

  /// Two nodes writing `y`.
  public static func duplicateNodeOutputs() -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Relu", inputs: ["x"], outputs: ["y"], name: "first"),
          Node(opType: "Neg", inputs: ["x"], outputs: ["y"], name: "second"),
        ], name: "dup", inputs: [input("x", [1, 3])], outputs: [output("y")]))
  }

  /// A node output named like an initializer.
  public static func outputShadowsInitializer() -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Relu", inputs: ["x"], outputs: ["W"], name: "shadow"),
          Node(opType: "Add", inputs: ["x", "W"], outputs: ["y"], name: "add"),
        ], name: "shadow-init", initializers: [TensorProto(name: "W", data: Tensor([Float](repeating: 1, count: 3), shape: [1, 3]))],
        inputs: [input("x", [1, 3])], outputs: [output("y")]))
  }

  /// A node output named like a graph input.
  public static func outputShadowsInput() -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Relu", inputs: ["x"], outputs: ["x"], name: "overwrite"),
          Node(opType: "Neg", inputs: ["x"], outputs: ["y"], name: "neg"),
        ], name: "shadow-input", inputs: [input("x", [1, 3])], outputs: [output("y")]))
  }

  /// A chain of `count` nodes `x → n0 → n1 → … → y`, alternating Identity and `Add(v, zero)`
  /// (one shared zero initializer), all named, as an exporter would write them.
  public static func chain(count: Int) -> Model {
    var nodes: [Node] = []
    nodes.reserveCapacity(count)
    var previous = "x"
    for i in 0..<count {
      let out = i == count - 1 ? "y" : "v\(i)"
      if i % 2 == 0 {
        nodes.append(Node(opType: "Identity", inputs: [previous], outputs: [out], name: "n\(i)"))
      } else {
        nodes.append(Node(opType: "Add", inputs: [previous, "zero"], outputs: [out], name: "n\(i)"))
      }
      previous = out
    }
    return model(
      Graph(
        nodes: nodes, name: "chain",
        initializers: [TensorProto(name: "zero", data: Tensor([Float](repeating: 0, count: 4), shape: [4]))],
        inputs: [input("x", [1, 4])], outputs: [output("y")]))
  }

  /// A Relu with an `ints` attribute of `count` entries and `attributes` more int attributes.
  public static func hugeAttributes(ints count: Int, attributes: Int) -> Model {
    var relu = Node(opType: "Relu", inputs: ["x"], outputs: ["y"], name: "relu")
    relu.attributes = [.ints("huge", (0..<Int64(count)).map { $0 })]
    relu.attributes += (0..<attributes).map { .int("a\($0)", Int64($0)) }
    return model(Graph(nodes: [relu], name: "attributes", inputs: [input("x", [1, 3])], outputs: [output("y")]))
  }

  /// A Transpose whose `perm` lists `count` axes for a rank-2 input.
  public static func hugePerm(count: Int) -> Model {
    var t = Node(opType: "Transpose", inputs: ["x"], outputs: ["y"], name: "transpose")
    t.attributes = [.ints("perm", (0..<Int64(count)).reversed().map { $0 })]
    return model(Graph(nodes: [t], name: "perm", inputs: [input("x", [2, 3])], outputs: [output("y")]))
  }

  /// Ops of one input, for `stringOperand`.
  public static let unaryOps: Set<String> = ["Relu", "Sigmoid", "Softmax", "Exp", "Neg", "Abs", "Sqrt", "Tanh"]

  /// `op(x, S)` where `S` is a STRING initializer and `x` a float input (`op(S)` for an op of
  /// one input).
  public static func stringOperand(_ op: String) -> Model {
    let words = [Array("one".utf8), Array("two".utf8), Array("three".utf8)]
    // Conv: a [1, 1, 3, 1] string "weight" for a [1, 1, 3, 1] input; otherwise [3] for [1, 3].
    let s = TensorProto(name: "S", data: Tensor(strings: words, shape: op == "Conv" ? [1, 1, 3, 1] : [3]))
    let inputs = unaryOps.contains(op) ? ["S"] : ["x", "S"]
    let xShape: [Int64] = op == "Conv" ? [1, 1, 3, 1] : [1, 3]
    return model(
      Graph(
        nodes: [Node(opType: op, inputs: inputs, outputs: ["y"], name: "uses_strings")], name: "strings",
        initializers: [s], inputs: [input("x", xShape)], outputs: [output("y")]))
  }

  /// `ConstantOfShape(shape)` where `shape` is an int64 initializer.
  public static func constantOfShape(_ shape: [Int64]) -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "ConstantOfShape", inputs: ["shape"], outputs: ["big"], name: "huge_constant"),
          Node(opType: "ReduceSum", inputs: ["big"], outputs: ["y"], name: "sum"),
        ], name: "constant-of-shape",
        initializers: [TensorProto(name: "shape", data: Tensor(shape, shape: [shape.count]))],
        inputs: [input("x", [1])], outputs: [output("y")]))
  }

  /// `op(x, param)` for Expand (param = target shape) or Tile (param = repeats), x float [1, 1].
  public static func growing(_ op: String, _ param: [Int64]) -> Model {
    model(
      Graph(
        nodes: [Node(opType: op, inputs: ["x", "p"], outputs: ["y"], name: "huge_\(op.lowercased())")], name: op,
        initializers: [TensorProto(name: "p", data: Tensor(param, shape: [param.count]))],
        inputs: [input("x", [1, 1])], outputs: [output("y")]))
  }

  /// `Add(a, b)` with a: [rows, 1] and b: [1, n] initializers of zeros (of `dtype`; `rows`
  /// defaults to n): a rows×n output.
  public static func broadcastBlowUp(_ n: Int, dtype: DType = .float, rows: Int? = nil) -> Model {
    model(
      Graph(
        nodes: [
          Node(opType: "Add", inputs: ["a", "b"], outputs: ["ab"], name: "outer_sum"),
          Node(opType: "Add", inputs: ["ab", "x"], outputs: ["y"], name: "plus_x"),
        ], name: "broadcast",
        initializers: [
          TensorProto(name: "a", data: Tensor(zeros: dtype, shape: [rows ?? n, 1])),
          TensorProto(name: "b", data: Tensor(zeros: dtype, shape: [1, n])),
        ], inputs: [input("x", [1], dtype)], outputs: [output("y")]))
  }

  /// A graph of the one `node`, with `inits` as initializers and float inputs declared with
  /// the shapes in `inputs`; its output is the node's first output.
  public static func single(_ node: Node, _ inits: [TensorProto], inputs: [String: [Int64]] = [:]) -> Model {
    model(
      Graph(
        nodes: [node], name: node.opType, initializers: inits, inputs: inputs.keys.sorted().map { input($0, inputs[$0]!) },
        outputs: [output(node.outputs[0])]))
  }

  /// `Range(0, limit, 1)` on int64 scalars.
  public static func range(limit: Int64) -> Model {
    single(
      Node(opType: "Range", inputs: ["s", "l", "d"], outputs: ["r"], name: "huge_range"),
      [TensorProto(name: "s", data: Tensor(scalar: Int64(0))), TensorProto(name: "l", data: Tensor(scalar: limit)),
       TensorProto(name: "d", data: Tensor(scalar: Int64(1)))])
  }

  /// `Pad` of a float [1, 1] input `x` with `pads` (begin, end per axis).
  public static func pad(_ pads: [Int64]) -> Model {
    single(
      Node(opType: "Pad", inputs: ["x", "pads"], outputs: ["p"], name: "huge_pad"),
      [TensorProto(name: "pads", data: Tensor(pads, shape: [pads.count]))], inputs: ["x": [1, 1]])
  }

  /// `OneHot` of 64 indices with `depth` classes (float values).
  public static func oneHot(depth: Int64) -> Model {
    single(
      Node(opType: "OneHot", inputs: ["i", "depth", "v"], outputs: ["o"], name: "huge_onehot"),
      [TensorProto(name: "i", data: Tensor([Int64](repeating: 0, count: 64), shape: [64])),
       TensorProto(name: "depth", data: Tensor(scalar: depth)),
       TensorProto(name: "v", data: Tensor([Float(0), 1], shape: [2]))])
  }

  /// `Resize` (nearest) of a float [1, 1, 4, 4] input `x` by `scale` on both spatial axes.
  public static func resize(scale: Float) -> Model {
    var node = Node(opType: "Resize", inputs: ["x", "", "scales"], outputs: ["r"], name: "huge_resize")
    node.attributes = [.string("mode", "nearest")]
    return single(
      node, [TensorProto(name: "scales", data: Tensor([Float(1), 1, scale, scale], shape: [4]))], inputs: ["x": [1, 1, 4, 4]])
  }

  /// `Resize` named `huge_resize` of a float input `x` of shape `input`, by `scales` (opset 13).
  public static func resize(scales: [Float], input: [Int64], mode: String = "nearest") -> Model {
    var node = Node(opType: "Resize", inputs: ["x", "", "scales"], outputs: ["r"], name: "huge_resize")
    node.attributes = [.string("mode", mode)]
    return single(
      node, [TensorProto(name: "scales", data: Tensor(scales, shape: [scales.count]))], inputs: ["x": input])
  }

  /// `Resize` named `huge_resize` of a float input `x` of shape `input` to `sizes` (opset 18,
  /// so `antialias` may be set among `attributes`).
  public static func resize(sizes: [Int64], input: [Int64], attributes: [Attribute]) -> Model {
    var node = Node(opType: "Resize", inputs: ["x", "", "", "sizes"], outputs: ["r"], name: "huge_resize")
    node.attributes = attributes
    var m = single(node, [TensorProto(name: "sizes", data: Tensor(sizes, shape: [sizes.count]))], inputs: ["x": input])
    m.opsetImports = [OperatorSetID(domain: "", version: 18)]
    return m
  }

  /// A model whose input is declared with `dims` (e.g. `[1 << 40]`), feeding a Relu.
  public static func hugeDeclaredInput(_ dims: [Int64]) -> Model {
    model(
      Graph(
        nodes: [Node(opType: "Relu", inputs: ["x"], outputs: ["y"], name: "relu")], name: "huge-input",
        inputs: [input("x", dims)], outputs: [output("y")]))
  }

  /// Writes `model` to `dir/name` and returns the path.
  @discardableResult
  public static func write(_ model: Model, to dir: URL, _ name: String) throws -> String {
    let path = dir.appendingPathComponent(name).path
    let bytes = try ONNXWriter.serialize(model, keepingExternalReferences: true)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return path
  }
}
