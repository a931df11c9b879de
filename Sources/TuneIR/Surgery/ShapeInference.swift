import TuneTensor

/// The element type and dims of a value, as far as they are known. `dims` is nil when the rank
/// is unknown; a dim is `.symbol` for a named symbolic size (a batch axis), `.unknown` otherwise.
public struct ValueShape: Equatable, Sendable, CustomStringConvertible {
  public var elementType: DType?
  public var dims: [Dimension]?
  public init(_ elementType: DType?, _ dims: [Dimension]?) {
    self.elementType = elementType
    self.dims = dims
  }
  public var rank: Int? { dims?.count }
  /// The dims as numbers when all are known.
  public var staticDims: [Int]? {
    guard let dims else { return nil }
    var out: [Int] = []
    for d in dims {
      guard let v = d.fixedValue else { return nil }
      out.append(Int(v))
    }
    return out
  }
  /// `float[batch,16]`, `?` for an unknown rank.
  public var description: String {
    let t = elementType?.description ?? "?"
    guard let dims else { return t }
    return "\(t)[\(dims.map(\.description).joined(separator: ","))]"
  }
  /// As a `TypeProto` for `value_info` and graph outputs.
  public var typeProto: TypeProto? {
    guard let elementType else { return nil }
    return .tensor(elementType, dims)
  }
}

/// Shape inference over the IR for the common ops of image classifiers, keeping symbolic dims
/// (`batch`) by name.
///
/// Seeds: graph inputs, initializers, `Constant` nodes and the model's own `value_info`. Small
/// integer tensors (shapes, axes) are also propagated by *value* — `Shape` of a tensor with a
/// symbolic batch gives `[batch, 16, 1, 1]` — so that PyTorch's `Shape → Gather → Unsqueeze →
/// Concat → Reshape` chains give a known `Reshape` output (ONNX calls this data propagation).
/// Ops without a rule give an unknown shape; inference never throws.
///
/// ```swift
/// let shapes = ShapeInference(model)
/// shapes["/Flatten_output_0"]   // float[batch,16]
/// ```
public struct ShapeInference: Sendable {
  public private(set) var shapes: [String: ValueShape] = [:]
  /// Values of small 0-D/1-D integer tensors, element by element (dims reused as "maybe symbolic
  /// integers").
  public private(set) var values: [String: [Dimension]] = [:]
  /// Small constant tensors (initializers and `Constant` outputs of at most 4,096 elements),
  /// the inputs the execution fallback feeds as they are.
  var constants: [String: Tensor] = [:]
  let opset: Int

  public subscript(_ name: String) -> ValueShape? { shapes[name] }

  /// Infers shapes for the main graph of `model`.
  public init(_ model: Model) {
    self.init(model.graph ?? Graph(), opset: model.opsetVersion() ?? 13)
  }

  public init(_ graph: Graph, opset: Int) {
    self.opset = opset
    for t in graph.initializers {
      guard let n = t.name else { continue }
      shapes[n] = ValueShape(t.data.dtype, t.data.shape.map { .value(Int64($0)) })
      recordValue(n, t.data)
      if t.data.count <= 4096 { constants[n] = t.data }
    }
    for v in graph.inputs + graph.valueInfo + graph.outputs {
      guard let n = v.name, shapes[n] == nil, let t = v.type else { continue }
      shapes[n] = ValueShape(t.tensorElementType, t.tensorDims)
    }
    let declared = shapes
    for node in graph.nodes {
      let inferred = infer(node)
      for (i, o) in node.outputs.enumerated() where !o.isEmpty {
        guard i < inferred.count else { break }
        // The file's value_info wins where it is more specific than what we inferred.
        if let d = declared[o], d.dims != nil, inferred[i].dims == nil || d.dims!.contains(where: { $0 != .unknown }) && !(inferred[i].dims!.allSatisfy { $0 != .unknown }) {
          shapes[o] = ValueShape(d.elementType ?? inferred[i].elementType, d.dims)
        } else {
          shapes[o] = inferred[i]
        }
      }
    }
  }

  mutating func recordValue(_ name: String, _ t: Tensor) {
    guard [.int64, .int32].contains(t.dtype), t.rank <= 1, t.count <= 64 else { return }
    values[name] = t.int64Values().map { .value($0) }
  }

  // MARK: - Rules

  func shape(_ name: String) -> ValueShape {
    name.isEmpty ? ValueShape(nil, nil) : (shapes[name] ?? ValueShape(nil, nil))
  }

  /// Constant integer values (all static) of an input.
  func ints(_ name: String) -> [Int]? {
    guard let v = values[name] else { return nil }
    var out: [Int] = []
    for d in v {
      guard let x = d.fixedValue else { return nil }
      out.append(Int(x))
    }
    return out
  }

  mutating func infer(_ node: Node) -> [ValueShape] {
    let x = node.inputs.first.map(shape) ?? ValueShape(nil, nil)
    if node.domain == "com.microsoft" && node.opType == FusedConv.opType {
      // onnxruntime's Conv + sum + activation (ConvActivationFusion): Conv's rule.
      return [ValueShape(x.elementType, convLike(node, x.dims, channels: shape(node.inputs[1]).dims?.first))]
    }
    guard (node.domain ?? "").isEmpty || node.domain == "ai.onnx" else { return [] }
    let op = node.opType ?? ""
    let out0 = node.outputs.first ?? ""
    switch op {
    case "Relu", "Sigmoid", "Tanh", "Exp", "Log", "Neg", "Abs", "Sqrt", "Erf", "Softmax", "LogSoftmax",
      "Clip", "LeakyRelu", "Elu", "Selu", "HardSigmoid", "HardSwish", "Gelu", "LayerNormalization",
      "InstanceNormalization", "LRN", "Floor", "Ceil", "Round", "Reciprocal", "Softplus", "Softsign",
      "Sign", "Sin", "Cos", "Mish", "Celu", "ThresholdedRelu", "Shrink", "Hardmax", "GroupNormalization":
      return [x]
    case "Identity":
      if let v = values[node.inputs[0]] { values[out0] = v }
      return [x]
    case "Dropout":
      return [x, ValueShape(.bool, x.dims)]
    case "BatchNormalization":
      let c = shape(node.inputs.count > 1 ? node.inputs[1] : "")
      return [x, c, c, c, c]
    case "Not":
      return [ValueShape(.bool, x.dims)]
    case "Cast":
      let to = (try? node.int("to", default: 0)).flatMap { DType(rawValue: Int32($0)) }
      if let v = values[node.inputs[0]], to == .int64 || to == .int32 { values[out0] = v }
      return [ValueShape(to, x.dims)]
    case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", "Mod", "BitShift":
      let ins = node.inputs.filter { !$0.isEmpty }.map(shape)
      propagateArithmetic(node)
      return [ValueShape(ins.first?.elementType, ShapeInference.broadcast(ins.map(\.dims)))]
    case "Equal", "Greater", "Less", "GreaterOrEqual", "LessOrEqual", "And", "Or", "Xor":
      return [ValueShape(.bool, ShapeInference.broadcast(node.inputs.map { shape($0).dims }))]
    case "Where":
      let ins = node.inputs.map(shape)
      return [ValueShape(ins.count > 1 ? ins[1].elementType : nil, ShapeInference.broadcast(ins.map(\.dims)))]
    case "MatMul":
      return [ValueShape(x.elementType, ShapeInference.matmul(x.dims, shape(node.inputs[1]).dims))]
    case "Gemm":
      guard let a = x.dims, a.count == 2, let b = shape(node.inputs[1]).dims, b.count == 2 else {
        return [ValueShape(x.elementType, [.unknown, .unknown])]
      }
      let ta = (try? node.int("transA", default: 0)) ?? 0
      let tb = (try? node.int("transB", default: 0)) ?? 0
      return [ValueShape(x.elementType, [ta != 0 ? a[1] : a[0], tb != 0 ? b[0] : b[1]])]
    case "Conv", "ConvInteger":
      return [ValueShape(x.elementType, convLike(node, x.dims, channels: shape(node.inputs[1]).dims?.first))]
    case "MaxPool", "AveragePool", "LpPool":
      let r = ValueShape(x.elementType, convLike(node, x.dims, channels: x.dims.flatMap { $0.count > 1 ? $0[1] : nil }))
      return [r, ValueShape(.int64, r.dims)]
    case "GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool":
      guard let d = x.dims, d.count >= 2 else { return [x] }
      return [ValueShape(x.elementType, Array(d[0..<2]) + Array(repeating: .value(1), count: d.count - 2))]
    case "Flatten":
      guard let d = x.dims else { return [ValueShape(x.elementType, [.unknown, .unknown])] }
      var axis = (try? node.int("axis", default: 1)) ?? 1
      if axis < 0 { axis += d.count }
      guard axis >= 0, axis <= d.count else { return [ValueShape(x.elementType, nil)] }
      return [ValueShape(x.elementType, [ShapeInference.product(d[0..<axis]), ShapeInference.product(d[axis...])])]
    case "Reshape":
      return [ValueShape(x.elementType, reshape(node, x.dims))]
    case "Transpose":
      guard let d = x.dims else { return [x] }
      let perm = ((try? node.ints("perm")) ?? nil) ?? Array((0..<d.count).reversed())
      guard perm.count == d.count, perm.allSatisfy({ $0 >= 0 && $0 < d.count }) else { return [ValueShape(x.elementType, nil)] }
      return [ValueShape(x.elementType, perm.map { d[$0] })]
    case "Concat":
      return [concat(node)]
    case "Squeeze", "Unsqueeze":
      return [squeeze(node, x, unsqueeze: op == "Unsqueeze")]
    case "Shape":
      guard let d = x.dims else { return [ValueShape(.int64, [.unknown])] }
      var start = (try? node.int("start", default: 0)) ?? 0
      var end = (try? node.intIfPresent("end")) ?? nil ?? d.count
      if start < 0 { start += d.count }
      if end < 0 { end += d.count }
      start = max(0, min(start, d.count))
      end = max(start, min(end, d.count))
      values[out0] = Array(d[start..<end])
      return [ValueShape(.int64, [.value(Int64(end - start))])]
    case "Size":
      if let d = x.dims { values[out0] = [ShapeInference.product(d[...])] }
      return [ValueShape(.int64, [])]
    case "Gather":
      return [gather(node, x)]
    case "Slice":
      return [slice(node, x)]
    case "Constant":
      return [constant(node)]
    case "ConstantOfShape":
      let elem = ((try? node.tensor("value")) ?? nil)?.dtype ?? .float
      return [ValueShape(elem, values[node.inputs[0]])]
    case "Expand":
      let target = values[node.inputs.count > 1 ? node.inputs[1] : ""]
      return [ValueShape(x.elementType, ShapeInference.broadcast([x.dims, target]))]
    case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL2", "ReduceL1",
      "ReduceLogSumExp", "ReduceSumSquare", "ArgMax", "ArgMin":
      return [reduce(node, x, argReduce: op.hasPrefix("Arg"))]
    default:
      return inferByExecution(node)
    }
  }

  /// Ops whose output shapes depend on input *values* that are not constants: the fallback
  /// cannot know them.
  static let dataDependent: Set<String> = ["NonZero", "Unique", "Compress", "If", "Loop", "Scan"]

  /// The fallback for ops without a rule above: runs the op itself on zero-filled inputs twice,
  /// with every symbolic dimension set to 2 and then to 3 (constant inputs as they are), and
  /// reads the output shapes. A dimension that changes with a symbol keeps that symbol's name;
  /// one that changes otherwise is unknown. Skipped (shapes unknown) when an input's shape is
  /// unknown, when an input would exceed 2^22 elements, or for data-dependent ops.
  mutating func inferByExecution(_ node: Node) -> [ValueShape] {
    let op = node.opType ?? ""
    guard !Self.dataDependent.contains(op), let type = OperatorRegistry.lookup(opType: op, domain: node.domain ?? ""),
      let instance = try? type.init(node: node, opset: opset)
    else { return [] }
    var symbols: [String] = []
    for name in node.inputs where !name.isEmpty && constants[name] == nil {
      guard let dims = shapes[name]?.dims, shapes[name]?.elementType != nil else { return [] }
      for d in dims {
        switch d {
        case .symbol(let s): if !symbols.contains(s) { symbols.append(s) }
        case .unknown: return []
        case .value: break
        }
      }
    }
    func run(_ size: Int64) -> [Tensor]? {
      var inputs: [Tensor?] = []
      for name in node.inputs {
        if name.isEmpty {
          inputs.append(nil)
        } else if let c = constants[name] {
          inputs.append(c)
        } else {
          let v = shapes[name]!
          let dims = v.dims!.map { d -> Int in
            if case .value(let x) = d { return Int(x) }
            return Int(size)
          }
          guard dims.allSatisfy({ $0 >= 0 }), let count = Tensor.checkedElementCount(dims.map(Int64.init)),
            count <= 1 << 22, let dtype = v.elementType, dtype != .string
          else { return nil }
          inputs.append(Tensor(zeros: dtype, shape: dims))
        }
      }
      return try? instance.forward(inputs, context: ExecutionContext())
    }
    guard let a = run(2), let b = symbols.isEmpty ? a : run(3) else { return [] }
    var out: [ValueShape] = []
    for (ta, tb) in zip(a, b) {
      guard ta.rank == tb.rank else {
        out.append(ValueShape(ta.dtype, nil))
        continue
      }
      let dims = zip(ta.shape, tb.shape).map { da, db -> Dimension in
        if da == db { return .value(Int64(da)) }
        if da == 2 && db == 3 && symbols.count == 1 { return .symbol(symbols[0]) }
        return .unknown
      }
      out.append(ValueShape(ta.dtype, dims))
    }
    // Only an op whose inputs are all constants has constant outputs.
    let allConstant = node.inputs.allSatisfy { $0.isEmpty || constants[$0] != nil }
    for (i, o) in node.outputs.enumerated() where allConstant && i < a.count && !o.isEmpty && a[i].count <= 4096 {
      constants[o] = a[i]
      recordValue(o, a[i])
    }
    return out
  }

  // MARK: - Helpers

  static func product(_ dims: ArraySlice<Dimension>) -> Dimension {
    var p: Int64 = 1
    var symbol: Dimension? = nil
    for d in dims {
      switch d {
      case .value(let v):
        let (q, o) = p.multipliedReportingOverflow(by: v)
        if o { return .unknown }
        p = q
      case .symbol:
        if symbol != nil { return .unknown }
        symbol = d
      case .unknown: return .unknown
      }
    }
    if let symbol { return p == 1 ? symbol : .unknown }
    return .value(p)
  }

  /// NumPy broadcasting of several shapes (nil if any rank is unknown).
  public static func broadcast(_ shapes: [[Dimension]?]) -> [Dimension]? {
    var result: [Dimension] = []
    for s in shapes {
      guard let s else { return nil }
      let r = max(result.count, s.count)
      let a = Array(repeating: Dimension.value(1), count: r - result.count) + result
      let b = Array(repeating: Dimension.value(1), count: r - s.count) + s
      result = zip(a, b).map { x, y in
        if x == .value(1) { return y }
        if y == .value(1) { return x }
        if x == y { return x }
        if case .value = x, case .symbol = y { return x }
        if case .symbol = x, case .value = y { return y }
        return .unknown
      }
    }
    return result
  }

  static func matmul(_ a: [Dimension]?, _ b: [Dimension]?) -> [Dimension]? {
    guard var a, var b, !a.isEmpty, !b.isEmpty else { return nil }
    let aVector = a.count == 1
    let bVector = b.count == 1
    if aVector { a = [.value(1)] + a }
    if bVector { b = b + [.value(1)] }
    guard let batch = broadcast([Array(a.dropLast(2)), Array(b.dropLast(2))]) else { return nil }
    var out = batch
    if !aVector { out.append(a[a.count - 2]) }
    if !bVector { out.append(b[b.count - 1]) }
    return out
  }

  func convLike(_ node: Node, _ x: [Dimension]?, channels: Dimension?) -> [Dimension]? {
    guard let x, x.count >= 3 else { return nil }
    let spatial = x.count - 2
    let wDims =
      node.isStandard("Conv") || (node.domain == "com.microsoft" && node.opType == FusedConv.opType)
      ? shape(node.inputs[1]).dims : nil
    let kernel = ((try? node.ints("kernel_shape")) ?? nil) ?? wDims.flatMap { d in
      let k = d.dropFirst(2).compactMap(\.fixedValue).map { Int($0) }
      return k.count == spatial ? k : nil
    }
    var out: [Dimension] = [x[0], channels ?? .unknown]
    guard let kernel, kernel.count == spatial else {
      return out + Array(repeating: .unknown, count: spatial)
    }
    let strides = ((try? node.ints("strides")) ?? nil) ?? Array(repeating: 1, count: spatial)
    let dilations = ((try? node.ints("dilations")) ?? nil) ?? Array(repeating: 1, count: spatial)
    let pads = ((try? node.ints("pads")) ?? nil) ?? Array(repeating: 0, count: 2 * spatial)
    let autoPad = (try? node.string("auto_pad", default: "NOTSET")) ?? "NOTSET"
    let ceilMode = ((try? node.int("ceil_mode", default: 0)) ?? 0) != 0
    guard strides.count == spatial, dilations.count == spatial, pads.count == 2 * spatial else {
      return out + Array(repeating: .unknown, count: spatial)
    }
    for i in 0..<spatial {
      guard let n = x[2 + i].fixedValue.map({ Int($0) }), strides[i] > 0 else {
        out.append(.unknown)
        continue
      }
      // Attributes and dims come from the file: any overflow gives an unknown dim, not a trap.
      let (p, q) = (pads[i], pads[i + spatial])
      let size: Int? = Checked.eval {
        let effective = try Checked.add(Checked.mul(Checked.sub(kernel[i], 1), dilations[i]), 1)
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER": return try Checked.sub(Checked.add(n, strides[i]), 1) / strides[i]
        case "VALID": return try Checked.sub(n, effective) / strides[i] + 1
        default:
          let span = try Checked.sub(Checked.add(Checked.add(n, p), q), effective)
          return ceilMode
            ? try Checked.sub(Checked.add(span, strides[i]), 1) / strides[i] + 1 : span / strides[i] + 1
        }
      }
      out.append(size.map { $0 > 0 ? .value(Int64($0)) : .unknown } ?? .unknown)
    }
    return out
  }

  func reshape(_ node: Node, _ x: [Dimension]?) -> [Dimension]? {
    guard node.inputs.count > 1, let target = values[node.inputs[1]] else {
      // The rank is the declared length of the shape input (bounded: a file may declare anything).
      if let n = shape(node.inputs.count > 1 ? node.inputs[1] : "").dims?.first?.fixedValue, n >= 0, n <= 64 {
        return Array(repeating: .unknown, count: Int(n))
      }
      return nil
    }
    let allowZero = ((try? node.int("allowzero", default: 0)) ?? 0) != 0
    var out: [Dimension] = []
    var inferIndex: Int? = nil
    for (i, d) in target.enumerated() {
      if d == .value(0) && !allowZero {
        guard let x, i < x.count else { return Array(repeating: .unknown, count: target.count) }
        out.append(x[i])
      } else if d == .value(-1) {
        inferIndex = i
        out.append(.unknown)
      } else {
        out.append(d)
      }
    }
    if let k = inferIndex, let x {
      // Cancel symbolic factors present on both sides, then divide the static products.
      var symbols = x.filter { if case .symbol = $0 { return true } else { return false } }
      var known: Int64 = 1
      var ok = !x.contains(.unknown)
      for d in x {
        if let v = d.fixedValue {
          let (r, o) = known.multipliedReportingOverflow(by: v)
          if o { ok = false } else { known = r }
        }
      }
      var other: Int64 = 1
      for (i, d) in out.enumerated() where i != k {
        switch d {
        case .value(let v):
          let (r, o) = other.multipliedReportingOverflow(by: v)
          if o { ok = false } else { other = r }
        case .symbol:
          if let j = symbols.firstIndex(of: d) { symbols.remove(at: j) } else { ok = false }
        case .unknown: ok = false
        }
      }
      if ok, other > 0, known % other == 0 {
        let q = known / other
        out[k] = symbols.isEmpty ? .value(q) : (symbols.count == 1 && q == 1 ? symbols[0] : .unknown)
      }
    }
    return out
  }

  mutating func concat(_ node: Node) -> ValueShape {
    let ins = node.inputs.filter { !$0.isEmpty }.map(shape)
    // Value propagation: concatenation of shape vectors.
    let vals = node.inputs.filter { !$0.isEmpty }.map { values[$0] }
    var result = ValueShape(ins.first?.elementType, nil)
    guard let first = ins.first?.dims else { return result }
    var axis = (try? node.int("axis", default: 0)) ?? 0
    if axis < 0 { axis += first.count }
    if axis >= 0 && axis < first.count && ins.allSatisfy({ $0.dims?.count == first.count }) {
      var dims = first
      var total: Dimension = .value(0)
      for s in ins {
        if let a = total.fixedValue, let b = s.dims![axis].fixedValue, case (let t, false) = a.addingReportingOverflow(b) {
          total = .value(t)
        } else {
          total = .unknown
        }
      }
      dims[axis] = total
      for j in dims.indices where j != axis {
        if dims[j] == .unknown, let known = ins.compactMap({ $0.dims![j] == .unknown ? nil : $0.dims![j] }).first {
          dims[j] = known
        }
      }
      result.dims = dims
    }
    if first.count <= 1, vals.allSatisfy({ $0 != nil }), let out0 = node.outputs.first {
      values[out0] = vals.flatMap { $0! }
    }
    return result
  }

  mutating func squeeze(_ node: Node, _ x: ValueShape, unsqueeze: Bool) -> ValueShape {
    if let v = values[node.inputs[0]], x.rank ?? 2 <= 1, let out0 = node.outputs.first { values[out0] = v }
    var axes: [Int]? = ((try? node.ints("axes")) ?? nil)
    if axes == nil, node.inputs.count > 1, !node.inputs[1].isEmpty { axes = ints(node.inputs[1]) }
    guard let d = x.dims else { return ValueShape(x.elementType, nil) }
    if unsqueeze {
      guard let axes else { return ValueShape(x.elementType, nil) }
      let r = d.count + axes.count
      let norm = Set(axes.map { $0 < 0 ? $0 + r : $0 })
      var out: [Dimension] = []
      var it = d.makeIterator()
      for i in 0..<r { out.append(norm.contains(i) ? .value(1) : (it.next() ?? .unknown)) }
      return ValueShape(x.elementType, out)
    }
    guard let axes else {
      if d.allSatisfy({ $0 != .unknown && !($0.fixedValue == nil) }) {
        return ValueShape(x.elementType, d.filter { $0 != .value(1) })
      }
      return ValueShape(x.elementType, nil)
    }
    let norm = Set(axes.map { $0 < 0 ? $0 + d.count : $0 })
    return ValueShape(x.elementType, d.enumerated().filter { !norm.contains($0.offset) }.map(\.element))
  }

  mutating func gather(_ node: Node, _ x: ValueShape) -> ValueShape {
    guard node.inputs.count > 1 else { return ValueShape(x.elementType, nil) }
    let idx = shape(node.inputs[1])
    var axis = (try? node.int("axis", default: 0)) ?? 0
    guard let d = x.dims, let id = idx.dims else { return ValueShape(x.elementType, nil) }
    if axis < 0 { axis += d.count }
    guard axis >= 0, axis < d.count else { return ValueShape(x.elementType, nil) }
    if axis == 0, let v = values[node.inputs[0]], let indices = ints(node.inputs[1]) {
      let picked = indices.map { i -> Dimension in
        let j = i < 0 ? i + v.count : i
        return j >= 0 && j < v.count ? v[j] : .unknown
      }
      values[node.outputs[0]] = picked
    }
    return ValueShape(x.elementType, Array(d[..<axis]) + id + Array(d[(axis + 1)...]))
  }

  mutating func slice(_ node: Node, _ x: ValueShape) -> ValueShape {
    guard let d = x.dims else { return x }
    var starts: [Int]?, ends: [Int]?, axes: [Int]?, steps: [Int]?
    if opset < 10 {
      starts = (try? node.ints("starts")) ?? nil
      ends = (try? node.ints("ends")) ?? nil
      axes = (try? node.ints("axes")) ?? nil
    } else {
      func at(_ i: Int) -> [Int]? { node.inputs.count > i && !node.inputs[i].isEmpty ? ints(node.inputs[i]) : nil }
      starts = at(1)
      ends = at(2)
      axes = at(3)
      steps = at(4)
      if node.inputs.count > 3, !node.inputs[3].isEmpty, axes == nil { return ValueShape(x.elementType, d.map { _ in .unknown }) }
      if node.inputs.count > 4, !node.inputs[4].isEmpty, steps == nil { return ValueShape(x.elementType, d.map { _ in .unknown }) }
    }
    guard let starts, let ends, starts.count == ends.count else {
      return ValueShape(x.elementType, d.map { _ in .unknown })
    }
    let ax = axes ?? Array(0..<starts.count)
    let st = steps ?? Array(repeating: 1, count: starts.count)
    guard ax.count == starts.count, st.count == starts.count else { return ValueShape(x.elementType, nil) }
    var out = d
    var valueRange: Swift.Range<Int>? = nil
    for k in 0..<starts.count {
      let a = ax[k] < 0 ? ax[k] + d.count : ax[k]
      guard a >= 0, a < d.count else { return ValueShape(x.elementType, nil) }
      guard let n = d[a].fixedValue.map({ Int($0) }), st[k] != 0 else {
        out[a] = .unknown
        continue
      }
      let (lo, hi, step) = ShapeInference.sliceBounds(start: starts[k], end: ends[k], step: st[k], size: n)
      // Same as ceil((hi - lo) / step) without overflow for a huge step (lo, hi are in [-1, n]).
      let count = step > 0 ? (hi > lo ? (hi - lo - 1) / step + 1 : 0) : (lo > hi ? (lo - hi - 1) / (step == Int.min ? Int.max : -step) + 1 : 0)
      out[a] = .value(Int64(count))
      if a == 0 && step == 1 { valueRange = lo..<max(lo, hi) }
    }
    if d.count == 1, let v = values[node.inputs[0]], let r = valueRange, r.upperBound <= v.count {
      values[node.outputs[0]] = Array(v[r])
    }
    return ValueShape(x.elementType, out)
  }

  /// Clamped slice bounds as the ONNX spec defines them.
  static func sliceBounds(start: Int, end: Int, step: Int, size n: Int) -> (Int, Int, Int) {
    var s = start < 0 ? start + n : start
    var e = end < 0 ? end + n : end
    if step > 0 {
      s = max(0, min(s, n))
      e = max(0, min(e, n))
    } else {
      s = max(-1, min(s, n - 1))
      e = max(-1, min(e, n - 1))
    }
    return (s, e, step)
  }

  mutating func constant(_ node: Node) -> ValueShape {
    let out = node.outputs.first ?? ""
    if let t = (try? node.tensor("value")) ?? nil {
      recordValue(out, t)
      if t.count <= 4096 { constants[out] = t }
      return ValueShape(t.dtype, t.shape.map { .value(Int64($0)) })
    }
    if let v = (try? node.intIfPresent("value_int")) ?? nil {
      values[out] = [.value(Int64(v))]
      return ValueShape(.int64, [])
    }
    if let v = (try? node.ints("value_ints")) ?? nil {
      values[out] = v.map { .value(Int64($0)) }
      return ValueShape(.int64, [.value(Int64(v.count))])
    }
    if node.attribute("value_float") != nil { return ValueShape(.float, []) }
    if let v = (try? node.floats("value_floats")) ?? nil { return ValueShape(.float, [.value(Int64(v.count))]) }
    return ValueShape(nil, nil)
  }

  func reduce(_ node: Node, _ x: ValueShape, argReduce: Bool) -> ValueShape {
    let elem: DType? = argReduce ? .int64 : x.elementType
    guard let d = x.dims else { return ValueShape(elem, nil) }
    let keep = ((try? node.int("keepdims", default: 1)) ?? 1) != 0
    var axes: [Int]?
    if argReduce {
      axes = [(try? node.int("axis", default: 0)) ?? 0]
    } else {
      axes = (try? node.ints("axes")) ?? nil
      if axes == nil, node.inputs.count > 1, !node.inputs[1].isEmpty {
        axes = ints(node.inputs[1])
        if axes == nil { return ValueShape(elem, keep ? d.map { _ in .unknown } : nil) }
      }
    }
    let noop = ((try? node.int("noop_with_empty_axes", default: 0)) ?? 0) != 0
    let set = Set((axes ?? (noop ? [] : Array(0..<d.count))).map { $0 < 0 ? $0 + d.count : $0 })
    var out: [Dimension] = []
    for (i, v) in d.enumerated() {
      if set.contains(i) { if keep { out.append(.value(1)) } } else { out.append(v) }
    }
    return ValueShape(elem, out)
  }

  mutating func propagateArithmetic(_ node: Node) {
    guard node.inputs.count == 2, let a = values[node.inputs[0]], let b = values[node.inputs[1]] else { return }
    let op = node.opType ?? ""
    let n = max(a.count, b.count)
    guard a.count == n || a.count == 1, b.count == n || b.count == 1 else { return }
    var out: [Dimension] = []
    for i in 0..<n {
      let x = a[a.count == 1 ? 0 : i]
      let y = b[b.count == 1 ? 0 : i]
      if let p = x.fixedValue, let q = y.fixedValue {
        switch op {
        case "Add": out.append(.value(p &+ q))
        case "Sub": out.append(.value(p &- q))
        case "Mul": out.append(.value(p &* q))
        case "Div": out.append(q == 0 ? .unknown : .value(ShapeInference.floorDivide(p, q)))
        default: out.append(.unknown)
        }
      } else if (op == "Mul" || op == "Div") && y == .value(1) || (op == "Add" || op == "Sub") && y == .value(0) {
        out.append(x)
      } else if op == "Mul" && x == .value(1) || op == "Add" && x == .value(0) {
        out.append(y)
      } else {
        out.append(.unknown)
      }
    }
    values[node.outputs[0]] = out
  }

  /// Integer division as ONNX `Div` on integers does it (truncation, like C).
  static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 { a.dividedReportingOverflow(by: b).partialValue }
}

/// Overflow-checked integer arithmetic for shape rules fed by file contents.
enum Checked {
  struct Overflow: Error {}
  static func add(_ a: Int, _ b: Int) throws -> Int {
    let (r, o) = a.addingReportingOverflow(b)
    if o { throw Overflow() }
    return r
  }
  static func sub(_ a: Int, _ b: Int) throws -> Int {
    let (r, o) = a.subtractingReportingOverflow(b)
    if o { throw Overflow() }
    return r
  }
  static func mul(_ a: Int, _ b: Int) throws -> Int {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    if o { throw Overflow() }
    return r
  }
  /// The value, or nil when the computation overflowed.
  static func eval(_ body: () throws -> Int) -> Int? { try? body() }
}
