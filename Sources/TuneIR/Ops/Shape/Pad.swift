import TuneTensor

/// ONNX `Pad`: the input grown (or, for negative pads, cropped) by `pads` =
/// `[x1_begin, x2_begin, …, x1_end, x2_end, …]`, new elements being `constant_value`
/// (`constant`), the mirror image without the edge (`reflect`), the edge value (`edge`) or
/// the other side (`wrap`, opset 19). Pads and the value are attributes before opset 11
/// (`paddings` in opset 1) and inputs after; opset 18 adds `axes`.
/// https://onnx.ai/onnx/operators/onnx__Pad.html
public struct Pad: DataMovementGradient {
  public static let opType = "Pad"
  public enum Mode: String, Sendable { case constant, reflect, edge, wrap }
  public var mode: Mode
  /// Attribute pads (opset < 11).
  public var padsAttribute: [Int]?
  /// Attribute value (opset < 11).
  public var valueAttribute: Float

  public init(node: Node, opset: Int) throws {
    let m = try node.string("mode", default: "constant")
    guard let mode = Mode(rawValue: m), mode != .wrap || opset >= 19 else {
      throw OpError("mode should be constant, reflect, edge or wrap (opset 19), got '\(m)'")
    }
    self.mode = mode
    valueAttribute = try node.float("value", default: 0)
    if opset < 11 {
      guard let p = try node.ints(opset < 2 ? "paddings" : "pads") else {
        throw OpError("attribute 'pads' is required")
      }
      padsAttribute = p
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let (begin, end, fill) = try resolve(inputs, x)
    return [try Pad.padded(x, begin: begin, end: end, mode: mode, fill: fill)]
  }

  /// Per-axis begin and end pads and the fill element, from attributes or inputs.
  func resolve(_ inputs: [Tensor?], _ x: Tensor) throws -> (begin: [Int], end: [Int], fill: Tensor?)
  {
    try ShapeSupport.requireMovable(x, "data")
    let r = x.rank
    var fill: Tensor? = nil
    var pads: [Int]
    var axes = Array(0..<r)
    if let p = padsAttribute {
      pads = p
      if valueAttribute != 0 && x.dtype != .string {
        fill = Tensor(scalar: valueAttribute).converted(to: x.dtype)
      }
    } else {
      pads = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "pads"), "pads")
      if let v = ShapeSupport.optionalInput(inputs, 2) {
        guard v.dtype == x.dtype, v.count == 1 else {
          throw OpError("constant_value should be one \(x.dtype) value, got \(v.dtype) \(v.shape)")
        }
        fill = v
      }
      if let a = ShapeSupport.optionalInput(inputs, 3) {
        axes = try ShapeSupport.axes(ShapeSupport.ints(a, "axes"), rank: r)
      }
    }
    guard pads.count == 2 * axes.count else {
      throw OpError(
        "pads has \(pads.count) values, expected \(2 * axes.count) for \(axes.count) axes")
    }
    var begin = [Int](repeating: 0, count: r)
    var end = [Int](repeating: 0, count: r)
    for (k, a) in axes.enumerated() {
      begin[a] = pads[k]
      end[a] = pads[k + axes.count]
    }
    return (begin, end, fill)
  }

  /// `x` grown by `begin[a]` / `end[a]` elements on each side of axis `a` (cropped where
  /// negative), filled per `mode` (`fill` for `constant`, zero when nil).
  static func padded(_ x: Tensor, begin: [Int], end: [Int], mode: Mode, fill: Tensor?) throws
    -> Tensor
  {
    try ShapeSupport.requireMovable(x, "data")
    let r = x.rank
    let outShape = try ShapeSupport.checkedShape(
      (0..<r).map {
        try ShapeSupport.add(
          ShapeSupport.add(x.shape[$0], begin[$0], "padded shape"), end[$0], "padded shape")
      }, "padded shape", dtype: x.dtype)
    if mode != .constant {
      for a in 0..<r where x.shape[a] == 0 && outShape[a] > 0 {
        throw OpError("cannot \(mode.rawValue)-pad axis \(a) of size 0")
      }
    }
    if mode == .constant && x.dtype != .string {
      // A fill, then the kept box of the input copied row by row.
      var out =
        fill.map { CopyKernel.filled($0, shape: outShape) }
        ?? Tensor(zeros: x.dtype, shape: outShape)
      var sourceStart = [Int](repeating: 0, count: r)
      var outputStart = [Int](repeating: 0, count: r)
      var counts = [Int](repeating: 0, count: r)
      for a in 0..<r {
        sourceStart[a] = min(max(-begin[a], 0), x.shape[a])
        outputStart[a] = min(max(begin[a], 0), outShape[a])
        counts[a] = max(0, min(x.shape[a] - sourceStart[a], outShape[a] - outputStart[a]))
      }
      if counts.contains(0) { return out }
      let inStrides = CopyKernel.contiguousStrides(x.shape)
      let box = CopyKernel.strided(
        x, shape: counts, offset: zip(sourceStart, inStrides).reduce(0) { $0 + $1.0 * $1.1 },
        strides: inStrides)
      CopyKernel.place(box, into: &out, at: outputStart)
      return out
    }
    // Trailing axes left alone are copied as whole blocks.
    var split = r
    while split > 0 && begin[split - 1] == 0 && end[split - 1] == 0 { split -= 1 }
    let blockSize = Tensor.elementCount(Array(x.shape[split...]))
    // Per padded axis: the source index for each output index (-1: the constant).
    let maps: [[Int]] = (0..<split).map { a in
      let d = x.shape[a]
      return (0..<outShape[a]).map { o in
        let i = o &- begin[a]
        if i >= 0 && i < d { return i }
        switch mode {
        case .constant: return -1
        case .edge: return i < 0 ? 0 : d - 1
        case .wrap: return ((i % d) + d) % d
        case .reflect:
          if d == 1 { return 0 }
          let period = 2 * (d - 1)
          let m = ((i % period) + period) % period
          return m < d ? m : period - m
        }
      }
    }
    let inStrides = Array(x.shape[..<split]).enumerated().map { a, _ in
      Tensor.elementCount(Array(x.shape[(a + 1)..<split]))
    }
    let outer = Tensor.elementCount(Array(outShape[..<split]))
    var blocks = [Int](repeating: 0, count: outer)
    if outer > 0 && blockSize > 0 {
      var index = [Int](repeating: 0, count: split)
      for n in 0..<outer {
        var s = 0
        for a in 0..<split {
          let m = maps[a][index[a]]
          if m < 0 {
            s = -1
            break
          }
          s += m * inStrides[a]
        }
        blocks[n] = s
        var a = split - 1
        while a >= 0 {
          index[a] += 1
          if index[a] < outShape[a] { break }
          index[a] = 0
          a -= 1
        }
      }
    }
    return CopyKernel.gatherBlocks(
      x, blockSize: blockSize, sourceBlocks: blockSize == 0 ? [] : blocks, shape: outShape,
      fill: fill)
  }
}

extension Pad {
  /// Constant mode: the gradient cropped back (a pad by the negated pads); other modes route
  /// through the index probe.
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    var result = [Tensor?](repeating: nil, count: inputs.count)
    guard needed.first == true, let x = inputs.first ?? nil, let g = outputGradients.first ?? nil
    else {
      return result
    }
    let (begin, end, _) = try resolve(inputs, x)
    guard g.shape == (0..<x.rank).map({ x.shape[$0] &+ begin[$0] &+ end[$0] }) else {
      throw OpError("output gradient has shape \(g.shape), expected \(outputs.first?.shape ?? [])")
    }
    if mode == .constant {
      result[0] = try Pad.padded(
        g, begin: begin.map { -$0 }, end: end.map { -$0 }, mode: .constant, fill: nil)
      return result
    }
    let routes = try routeProbe(DataMovement.probe(x.shape), inputs: inputs, context: context)[0]
    var grad = Tensor(zeros: g.dtype, shape: x.shape)
    try DataMovement.scatterAdd(g, routes: routes, into: &grad)
    result[0] = grad
    return result
  }

  /// The probe must see zero fill: drop `constant_value` and the attribute value.
  public func routeProbe(_ probe: Tensor, inputs: [Tensor?], context: ExecutionContext) throws
    -> [Tensor]
  {
    var op = self
    op.valueAttribute = 0
    var i = inputs
    i[0] = probe
    if i.count > 2 { i[2] = nil }
    return try op.forward(i, context: context)
  }
}
