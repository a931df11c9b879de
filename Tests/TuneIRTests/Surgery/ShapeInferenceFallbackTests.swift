import Testing
import TuneIR
import TuneTensor

/// Ops without a hand-written shape rule get their shapes by running the op on zero-filled
/// inputs (twice, to tell symbolic dims apart).
@Suite struct ShapeInferenceFallbackTests {
  static func graph(_ nodes: [Node], inits: [TensorProto], input: [Dimension]) -> Graph {
    Graph(
      nodes: nodes, name: "g", initializers: inits, inputs: [ValueInfo(name: "x", type: .tensor(.float, input))],
      outputs: [ValueInfo(name: "y")])
  }

  @Test func resizeTileAndPadKeepTheBatchSymbol() {
    let scales = TensorProto(name: "scales", data: Tensor([Float(1), 1, 2, 2], shape: [4]))
    let repeats = TensorProto(name: "repeats", data: Tensor([Int64(1), 2, 1, 1], shape: [4]))
    let pads = TensorProto(name: "pads", data: Tensor([Int64(0), 0, 1, 1, 0, 0, 1, 1], shape: [8]))
    let g = Self.graph(
      [
        Node(opType: "Resize", inputs: ["x", "", "scales"], outputs: ["r"], attributes: [.string("mode", "nearest")]),
        Node(opType: "Tile", inputs: ["r", "repeats"], outputs: ["t"]),
        Node(opType: "Pad", inputs: ["t", "pads"], outputs: ["y"]),
      ], inits: [scales, repeats, pads], input: [.symbol("N"), .value(3), .value(4), .value(5)])
    let s = ShapeInference(g, opset: 13)
    #expect(s["r"]?.dims == [.symbol("N"), .value(3), .value(8), .value(10)])
    #expect(s["t"]?.dims == [.symbol("N"), .value(6), .value(8), .value(10)])
    #expect(s["y"]?.dims == [.symbol("N"), .value(6), .value(10), .value(12)])
    #expect(s["y"]?.elementType == .float)
  }

  @Test func splitGivesEveryOutput() {
    let split = TensorProto(name: "split", data: Tensor([Int64(1), 3], shape: [2]))
    let g = Self.graph(
      [Node(opType: "Split", inputs: ["x", "split"], outputs: ["a", "b"], attributes: [.int("axis", 1)])], inits: [split],
      input: [.symbol("batch"), .value(4)])
    let s = ShapeInference(g, opset: 13)
    #expect(s["a"]?.dims == [.symbol("batch"), .value(1)])
    #expect(s["b"]?.dims == [.symbol("batch"), .value(3)])
  }

  @Test func dataDependentAndUnknownShapesStayUnknown() {
    let g = Self.graph(
      [Node(opType: "NonZero", inputs: ["x"], outputs: ["nz"]), Node(opType: "Tile", inputs: ["x", "r"], outputs: ["y"])],
      inits: [], input: [.value(2), .value(3)])
    let s = ShapeInference(g, opset: 13)
    #expect(s["nz"]?.dims == nil)
    #expect(s["y"]?.dims == nil)  // repeats are neither constant nor known
  }
}
