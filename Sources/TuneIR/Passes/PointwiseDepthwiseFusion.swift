import TuneTensor

/// Fuses a 1×1 convolution with the depthwise convolution that reads its output (MobileNet's
/// expansion and depthwise layers) into one `onnx_tune:FusedPointwiseDepthwise` node, for
/// inference only: the expanded tensor between them, the block's largest, is then computed a
/// slice of channels at a time into a buffer that stays in cache instead of going through
/// memory twice.
///
///     [Fused]Conv(1×1) → [Fused]Conv(depthwise)      FusedPointwiseDepthwise
///
/// Runs after `ConvActivationFusion`, so each side may carry its activation. Applies when the
/// 1×1 has group 1, unit strides, no padding and no sum input; the second has one input channel
/// per group over exactly those channels and no sum input; the weights are constants; the value
/// between them is float32, feeds only the depthwise convolution and is not a graph output; and
/// (with `keeping:`) neither node reads a value computed from a trainable initializer. The 1×1
/// products may round differently from the unfused graph's (the fused kernel works on slices
/// of channels, where the unfused layer may run on BLAS); everything else is computed the same
/// way. The node's op is ours: the fused model is for running, not for writing to a file.
public struct PointwiseDepthwiseFusion: GraphPass {
  public let name = "PointwiseDepthwiseFusion"
  /// Initializers being trained: nothing that depends on them is fused.
  public let trainable: Set<String>
  public init(keeping trainable: Set<String> = []) { self.trainable = trainable }

  /// Adds the `onnx_tune` opset import the fused nodes need, if missing.
  public static func prepare(_ model: inout Model) {
    if model.opsetVersion(domain: FusedPointwiseDepthwise.domain) == nil {
      model.opsetImports.append(OperatorSetID(domain: FusedPointwiseDepthwise.domain, version: 1))
    }
  }

  /// True for a `Conv` or `com.microsoft:FusedConv` without a sum input.
  static func isConvolution(_ node: Node) -> Bool {
    (node.isStandard("Conv") || (node.domain == "com.microsoft" && node.opType == FusedConv.opType))
      && node.inputs.count >= 2 && node.inputs.count <= 3 && node.outputs.count == 1
  }

  public func patch(for model: Model) throws -> GraphPatch {
    let graph = model.graph!
    let consumers = graph.consumerIndices
    let dependent = graph.values(dependingOn: trainable)
    let outputs = Set(graph.outputs.compactMap(\.name))
    var patch = GraphPatch()
    var taken = Set<Int>()

    /// The weight `name`'s dims, when it is a float32 constant (Conv's X, W and Y share one type,
    /// so the value between the two is float32 too: in half precision the unfused graph would
    /// round it).
    func weightShape(_ name: String) -> [Int]? {
      guard let t = graph.constantTensor(name)?.tensor, t.dtype == .float else { return nil }
      return t.shape
    }
    for (fi, first) in graph.nodes.enumerated() where Self.isConvolution(first) && !taken.contains(fi) {
      let e = first.outputs[0]
      guard !e.isEmpty, !outputs.contains(e), let c = consumers[e], c.count == 1, !taken.contains(c[0]) else { continue }
      let si = c[0]
      let second = graph.nodes[si]
      guard Self.isConvolution(second), second.inputs[0] == e, !second.inputs[1...].contains(e) else { continue }
      // The 1×1: group 1, unit strides, no padding (auto_pad pads nothing around a 1×1 window).
      guard let w1 = weightShape(first.inputs[1]), w1.count >= 3, w1[2...].allSatisfy({ $0 == 1 }),
        (try? first.int("group", default: 1)) == 1,
        ((try? first.ints("strides")) ?? nil)?.allSatisfy({ $0 == 1 }) ?? true,
        ((try? first.ints("pads")) ?? nil)?.allSatisfy({ $0 == 0 }) ?? true,
        ((try? first.ints("kernel_shape")) ?? nil)?.allSatisfy({ $0 == 1 }) ?? true
      else { continue }
      // The depthwise: one input channel per group, as many groups as the 1×1 has outputs.
      guard let w2 = weightShape(second.inputs[1]), w2.count == w1.count, w2[1] == 1,
        (try? second.int("group", default: 1)) == w1[0], w1[0] > 0, w2[0] % w1[0] == 0
      else { continue }
      if (first.inputs + second.inputs).contains(where: dependent.contains) { continue }

      var node = second
      node.domain = FusedPointwiseDepthwise.domain
      node.opType = FusedPointwiseDepthwise.opType
      node.inputs = [
        first.inputs[0], first.inputs[1], first.inputs.count > 2 ? first.inputs[2] : "", second.inputs[1],
        second.inputs.count > 2 ? second.inputs[2] : "",
      ]
      for a in first.attributes where a.name == "activation" || a.name == "activation_params" {
        var renamed = a
        renamed.name = "pointwise_" + (a.name ?? "")
        node.attributes.append(renamed)
      }
      patch.replaceNode(at: si, with: node)
      patch.removeNode(at: fi)
      taken.formUnion([fi, si])
    }
    return patch
  }
}
