import TuneTensor

/// Folds the batch into the rows of small feature maps, for inference only: where MobileNet-style
/// blocks (1×1 convolution, depthwise convolution, 1×1 convolution, residual Add) run on planes
/// of a few dozen positions, the values between them are stored `[1, C, N·H, W]` (each channel's
/// N images one after another) instead of `[N, C, H, W]`.
///
/// Why: a 1×1 convolution is a GEMM whose columns are the positions of every image. Its kernel
/// works on 16 columns at a time, and in NCHW a 6×6 or 3×3 image ends inside such a strip, so
/// each strip's input is gathered from two or three images and each of its output rows stored
/// in pieces. Folded, the columns of a channel are contiguous across images: MobileNetV2-96's
/// 1×1 layers on 6×6 and 3×3 planes ran 3–17% faster at batch 32 (one thread).
///
///     x ─ Transpose(1,0,2,3) ─ Reshape[1,C,-1,W] ─ 1×1 Conv ─ FoldedDepthwiseConv ─ 1×1 Conv ─ Add ─ …
///       … ─ Reshape[C,-1,H,W] ─ Transpose(1,0,2,3) ─ y
///
/// A 1×1 `Conv` (or `com.microsoft:FusedConv`, with its sum input) with group 1, unit strides and
/// no padding, a residual `Add` of two equal shapes, `Relu` and `Clip` are the same ops on the
/// folded layout, so they stay as they are; a depthwise convolution (one filter per channel)
/// becomes `onnx_tune:FoldedDepthwiseConv`, which keeps its padding inside each image. Values
/// entering the region are folded, values leaving it (or graph outputs) unfolded, by standard
/// `Transpose` and `Reshape` nodes.
///
/// Applies to float32 4-D values whose channels and plane are static, with at most
/// `largestPlane` positions not a multiple of 16 (planes of whole strips gain nothing), and to
/// connected groups of such nodes holding at least `minimumConvolutions` convolutions (each
/// group pays one copy in and one out). Outputs are the same up to float rounding only where a
/// 1×1 layer changes kernels (the folded plane is larger). Runs after `ConvActivationFusion` (it
/// needs the shapes of its fused nodes, and leaves the depthwise activations fused) and before
/// `PointwiseDepthwiseFusion`; the op is ours, so the folded model is for running, not for
/// writing to a file.
public struct BatchFolding: GraphPass {
  public let name = "BatchFolding"
  /// Planes of at most this many positions are folded.
  public static let largestPlane = 100
  /// A connected group of foldable nodes is folded only with this many convolutions in it.
  public static let minimumConvolutions = 3

  public init() {}

  /// Adds the `onnx_tune` opset import the folded depthwise nodes need, if missing.
  public static func prepare(_ model: inout Model) {
    if model.opsetVersion(domain: FoldedDepthwiseConv.domain) == nil {
      model.opsetImports.append(OperatorSetID(domain: FoldedDepthwiseConv.domain, version: 1))
    }
  }

  /// A foldable value's static dims: channels, height, width.
  struct Plane: Equatable {
    var channels: Int, height: Int, width: Int
  }

  enum Kind { case pointwise, depthwise, elementwise }

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    func isConvolution(_ node: Node) -> Bool {
      node.isStandard("Conv") || (node.domain == "com.microsoft" && node.opType == FusedConv.opType)
    }
    // Nothing to fold without convolutions; shape inference only when there are some.
    guard graph.nodes.lazy.filter(isConvolution).prefix(Self.minimumConvolutions).count == Self.minimumConvolutions
    else { return GraphPatch() }
    let shapes = ShapeInference(model)
    let consumers = graph.consumerIndices
    let graphOutputs = Set(graph.outputs.compactMap(\.name))
    var constants = Set(graph.initializers.compactMap(\.name))
    for n in graph.nodes where n.isStandard("Constant") { constants.formUnion(n.outputs) }

    func plane(_ v: String) -> Plane? {
      guard !v.isEmpty, !constants.contains(v), let s = shapes[v], s.elementType == .float,
        let d = s.dims, d.count == 4, d[0] != .unknown, let c = d[1].fixedValue, let h = d[2].fixedValue,
        let w = d[3].fixedValue, c > 0, h > 0, w > 0, c <= Int64(Int32.max), h * w <= Int64(Self.largestPlane),
        (h * w) % 16 != 0
      else { return nil }
      return Plane(channels: Int(c), height: Int(h), width: Int(w))
    }
    func sameDims(_ a: String, _ b: String) -> Bool {
      guard let x = shapes[a]?.dims, let y = shapes[b]?.dims else { return false }
      return x == y
    }
    /// The static dims of a float weight (an initializer, or a value computed from one).
    func weightDims(_ v: String) -> [Int]? {
      guard let s = shapes[v], s.elementType == .float, let d = s.dims else { return nil }
      let fixed = d.compactMap(\.fixedValue)
      return fixed.count == d.count ? fixed.map { Int($0) } : nil
    }
    func kind(_ node: Node) -> Kind? {
      guard node.outputs.count == 1, node.inputs.count >= 1, let y = plane(node.outputs[0]),
        let x = plane(node.inputs[0])
      else { return nil }
      if isConvolution(node) {
        guard node.inputs.count >= 2, node.inputs.count <= 4, let w = weightDims(node.inputs[1]), w.count == 4,
          node.inputs.count < 3 || node.inputs[2].isEmpty || weightDims(node.inputs[2]) == [w[0]]
        else { return nil }
        let sum = node.inputs.count == 4 && !node.inputs[3].isEmpty ? node.inputs[3] : nil
        let group = (try? node.int("group", default: 1)) ?? 0
        let strides = ((try? node.ints("strides")) ?? nil) ?? [1, 1]
        let pads = ((try? node.ints("pads")) ?? nil) ?? [0, 0, 0, 0]
        let autoPad = (try? node.string("auto_pad", default: "NOTSET")) ?? "?"
        if w[2] == 1 && w[3] == 1 && group == 1 && w[1] == x.channels && strides.allSatisfy({ $0 == 1 })
          && pads.allSatisfy({ $0 == 0 }) && ["NOTSET", "VALID"].contains(autoPad)
          && y == Plane(channels: w[0], height: x.height, width: x.width)
        {
          if let sum, plane(sum) == nil || !sameDims(sum, node.outputs[0]) { return nil }
          return .pointwise
        }
        if sum == nil && group == x.channels && w[0] == x.channels && w[1] == 1 && y.channels == x.channels
          && shapes[node.inputs[0]]?.dims?.first == shapes[node.outputs[0]]?.dims?.first
        {
          return .depthwise
        }
        return nil
      }
      if node.isStandard("Add") {
        guard node.inputs.count == 2, plane(node.inputs[1]) != nil, sameDims(node.inputs[0], node.inputs[1]),
          sameDims(node.inputs[0], node.outputs[0])
        else { return nil }
        return .elementwise
      }
      if node.isStandard("Relu") || node.isStandard("Clip") {
        guard sameDims(node.inputs[0], node.outputs[0]),
          node.inputs.dropFirst().allSatisfy({ $0.isEmpty || constants.contains($0) })
        else { return nil }
        return .elementwise
      }
      return nil
    }

    // The foldable nodes, grouped by the values they share.
    var kinds: [Int: Kind] = [:]
    for (i, node) in graph.nodes.enumerated() { if let k = kind(node) { kinds[i] = k } }
    /// The inputs of node `i` that are folded with it: X and the sum Z of a convolution, both
    /// inputs of Add, X of Relu and Clip (weights, biases and clip bounds are read as they are).
    func dataInputs(_ i: Int) -> [Int] {
      let node = graph.nodes[i]
      let positions = kinds[i] != .elementwise ? [0, 3] : node.isStandard("Add") ? [0, 1] : [0]
      return positions.filter { $0 < node.inputs.count && !node.inputs[$0].isEmpty }
    }
    /// Whether foldable node `c` reads `v` only where it takes folded values.
    func readsFolded(_ c: Int, _ v: String) -> Bool {
      kinds[c] != nil && graph.nodes[c].inputs.indices.allSatisfy { graph.nodes[c].inputs[$0] != v || dataInputs(c).contains($0) }
        && !graph.nodes[c].subgraphReferences.contains(v)
    }
    // (Union-find with path halving and union by size: linear in practice on long chains.)
    var parent = Dictionary(uniqueKeysWithValues: kinds.keys.map { ($0, $0) })
    var size = Dictionary(uniqueKeysWithValues: kinds.keys.map { ($0, 1) })
    func root(_ i: Int) -> Int {
      var r = i
      while parent[r]! != r {
        parent[r] = parent[parent[r]!]!
        r = parent[r]!
      }
      return r
    }
    for i in kinds.keys.sorted() {
      for v in graph.nodes[i].outputs {
        for c in consumers[v] ?? [] where readsFolded(c, v) {
          var (a, b) = (root(i), root(c))
          if a == b { continue }
          if size[a]! > size[b]! { swap(&a, &b) }
          parent[a] = b
          size[b]! += size[a]!
        }
      }
    }
    var convolutions: [Int: Int] = [:]
    for (i, k) in kinds where k != .elementwise { convolutions[root(i), default: 0] += 1 }
    let region = Set(kinds.keys.filter { convolutions[root($0), default: 0] >= Self.minimumConvolutions })
    guard !region.isEmpty else { return GraphPatch() }

    var patch = GraphPatch()
    var names = ValueNames(graph)
    func fresh(_ base: String) -> String { names.fresh(base) }
    func shapeConstant(_ base: String, _ dims: [Int64]) -> String {
      let name = fresh(base)
      patch.setInitializer(TensorProto(name: name, data: Tensor(dims, shape: [dims.count])))
      return name
    }

    var folded: [String: String] = [:]
    for i in region.sorted() {
      for v in graph.nodes[i].outputs { folded[v] = fresh(v + "__folded") }
    }
    // Values entering the region: folded once each.
    func foldedInput(_ v: String) -> String {
      if let f = folded[v] { return f }
      let p = plane(v)!
      let f = fresh(v + "__folded")
      folded[v] = f
      let t = fresh(v + "__channels_first")
      patch.addNode(
        Node(opType: "Transpose", inputs: [v], outputs: [t], name: fresh(v + "/fold_transpose"), attributes: [.ints("perm", [1, 0, 2, 3])]))
      let s = shapeConstant(v + "__fold_shape", [1, Int64(p.channels), -1, Int64(p.width)])
      patch.addNode(Node(opType: "Reshape", inputs: [t, s], outputs: [f], name: fresh(v + "/fold_reshape")))
      return f
    }
    for i in region.sorted() {
      var node = graph.nodes[i]
      let x = plane(node.inputs[0])!
      for j in dataInputs(i) { node.inputs[j] = foldedInput(node.inputs[j]) }
      let v = node.outputs[0]
      node.outputs = [folded[v]!]
      if kinds[i] == .depthwise {
        node.domain = FoldedDepthwiseConv.domain
        node.opType = FoldedDepthwiseConv.opType
        node.attributes.removeAll { $0.name == "image_height" }
        node.attributes.append(.int("image_height", Int64(x.height)))
      }
      patch.replaceNode(at: i, with: node)
      // Values read outside the region (or graph outputs): unfolded under their own name, or,
      // when only global average pools read them, pooled folded (each plane is one image's
      // channel) and only the [C, N] means transposed.
      let outsiders = (consumers[v] ?? []).filter { !region.contains($0) || !readsFolded($0, v) }
      let p = plane(v)!
      if !graphOutputs.contains(v), !outsiders.isEmpty,
        outsiders.allSatisfy({ graph.nodes[$0].isStandard("GlobalAveragePool") && graph.nodes[$0].inputs == [v] })
      {
        for o in outsiders {
          let pool = graph.nodes[o]
          let y = pool.outputs[0]
          let planes = fresh(v + "__planes")
          let means = fresh(y + "__planes")
          let byChannel = fresh(y + "__by_channel")
          let byImage = fresh(y + "__by_image")
          let shape1 = shapeConstant(v + "__planes_shape", [1, -1, Int64(p.height), Int64(p.width)])
          let shape2 = shapeConstant(y + "__by_channel_shape", [Int64(p.channels), -1])
          let shape3 = shapeConstant(y + "__shape", [-1, Int64(p.channels), 1, 1])
          patch.addNode(Node(opType: "Reshape", inputs: [folded[v]!, shape1], outputs: [planes], name: fresh(v + "/planes")))
          var pooled = pool
          pooled.inputs = [planes]
          pooled.outputs = [means]
          patch.replaceNode(at: o, with: pooled)
          patch.addNode(Node(opType: "Reshape", inputs: [means, shape2], outputs: [byChannel], name: fresh(y + "/by_channel")))
          patch.addNode(
            Node(opType: "Transpose", inputs: [byChannel], outputs: [byImage], name: fresh(y + "/by_image"), attributes: [.ints("perm", [1, 0])]))
          patch.addNode(Node(opType: "Reshape", inputs: [byImage, shape3], outputs: [y], name: fresh(y + "/unfold_reshape")))
        }
        patch.setValueType(v, nil)
      } else if graphOutputs.contains(v) || !outsiders.isEmpty {
        let s = shapeConstant(v + "__unfold_shape", [Int64(p.channels), -1, Int64(p.height), Int64(p.width)])
        let t = fresh(v + "__channels_first")
        patch.addNode(Node(opType: "Reshape", inputs: [folded[v]!, s], outputs: [t], name: fresh(v + "/unfold_reshape")))
        patch.addNode(
          Node(opType: "Transpose", inputs: [t], outputs: [v], name: fresh(v + "/unfold_transpose"), attributes: [.ints("perm", [1, 0, 2, 3])]))
      } else {
        patch.setValueType(v, nil)
      }
    }
    return patch
  }
}
