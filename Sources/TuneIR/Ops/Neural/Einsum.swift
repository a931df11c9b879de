import TuneTensor

/// ONNX `Einsum`: Einstein summation over any number of operands, with `...` broadcasting,
/// repeated labels (diagonals), implicit output (labels seen once, alphabetically, after the
/// ellipsis) and explicit `->` output.
/// https://onnx.ai/onnx/operators/onnx__Einsum.html
///
/// Each operand first takes its diagonals and sums away labels no one else needs; operands are
/// then combined left to right, each pair as one batched `cblas_sgemm` (`bij,bjk->bik`,
/// `bhid,bhjd->bhij` and the like), and the result is summed and permuted to the output labels.
public struct Einsum: Operator {
  public static let opType = "Einsum"
  public var equation: String

  public init(node: Node, opset: Int) throws {
    guard let e = try node.stringIfPresent("equation") else {
      throw OpError("attribute 'equation' is required")
    }
    equation = e
  }

  /// An operand with one label per axis.
  struct Labeled {
    var data: [Float]
    var shape: [Int]
    var labels: [Character]
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let tensors = try inputs.enumerated().map { try NeuralSupport.required(inputs, $0.offset, "Inputs[\($0.offset)]") }
    guard !tensors.isEmpty else { throw OpError("Einsum needs at least one input") }
    // Parse into terms of characters, with "..." turned into one marker.
    let marker: Character = "\u{1}"
    var chars: [Character] = []
    let raw = Array(equation.filter { !$0.isWhitespace })
    var p = 0
    while p < raw.count {
      if raw[p] == ".", p + 2 < raw.count, raw[p + 1] == ".", raw[p + 2] == "." {
        chars.append(marker)
        p += 3
      } else {
        chars.append(raw[p])
        p += 1
      }
    }
    var lhs = chars
    var rhs: [Character]?
    if let arrow = chars.indices.first(where: { chars[$0] == "-" }) {
      guard arrow + 1 < chars.count, chars[arrow + 1] == ">" else {
        throw OpError("equation '\(equation)' has a '-' that is not part of '->'")
      }
      lhs = Array(chars[..<arrow])
      rhs = Array(chars[(arrow + 2)...])
      guard !rhs!.contains("-") else { throw OpError("equation '\(equation)' has more than one '->'") }
    }
    let terms = lhs.split(separator: ",", omittingEmptySubsequences: false).map(Array.init)
    guard terms.count == tensors.count else {
      throw OpError("equation '\(equation)' has \(terms.count) operands but \(tensors.count) inputs were given")
    }
    for term in terms + [rhs ?? []] {
      for c in term where c != marker && !c.isLetter {
        throw OpError("label '\(c)' in '\(equation)' is not a letter")
      }
    }
    // Ellipsis axes get private labels (Unicode scalars outside ASCII), aligned right.
    var ellipsisRank = 0
    for (term, t) in zip(terms, tensors) {
      let letters = term.filter { $0 != marker }.count
      if term.contains(marker) {
        guard t.rank >= letters else { throw OpError("operand '\(String(term))' needs rank >= \(letters), got \(t.shape)") }
        ellipsisRank = max(ellipsisRank, t.rank - letters)
      } else {
        guard t.rank == letters else { throw OpError("operand '\(String(term))' needs rank \(letters), got \(t.shape)") }
      }
    }
    let ellipsisLabels = (0..<ellipsisRank).map { Character(Unicode.Scalar(0x100 + $0)!) }
    func labels(_ term: [Character], rank: Int) -> [Character] {
      guard let at = term.firstIndex(of: marker) else { return term }
      let before = Array(term[..<at])
      let after = Array(term[(at + 1)...])
      let n = rank - before.count - after.count
      return before + Array(ellipsisLabels.suffix(n)) + after
    }
    var operands = try zip(terms, tensors).map { term, t in
      Labeled(
        data: try NeuralSupport.asFloat(t, "input").elements(as: Float.self), shape: t.shape,
        labels: labels(term, rank: t.rank))
    }
    // Label sizes (1 broadcasts).
    var sizes: [Character: Int] = [:]
    for op in operands {
      for (l, s) in zip(op.labels, op.shape) {
        if let old = sizes[l], old != s, old != 1, s != 1 {
          throw OpError("label '\(l)' has sizes \(old) and \(s) in '\(equation)'")
        }
        sizes[l] = max(sizes[l] ?? s, s)
      }
    }
    let output: [Character]
    if let rhs {
      if let at = rhs.firstIndex(of: marker) {
        output = Array(rhs[..<at]) + ellipsisLabels + Array(rhs[(at + 1)...])
      } else {
        output = rhs
      }
      for l in output where sizes[l] == nil { throw OpError("output label '\(l)' is not in any operand") }
    } else {
      var counts: [Character: Int] = [:]
      for op in operands { for l in op.labels { counts[l, default: 0] += 1 } }
      let single = counts.filter { $0.value == 1 && !ellipsisLabels.contains($0.key) }.map { $0.key }
      output = ellipsisLabels + single.sorted()
    }
    // Expand broadcast (size-1) axes, take diagonals, and sum labels used nowhere else.
    for i in operands.indices {
      var op = operands[i]
      if op.labels.indices.contains(where: { sizes[op.labels[$0]]! != op.shape[$0] }) {
        op = Einsum.relabel(op, to: op.labels, sizes: sizes, expand: true)
      }
      let unique = op.labels.reduce(into: [Character]()) { if !$0.contains($1) { $0.append($1) } }
      if unique.count != op.labels.count { op = Einsum.relabel(op, to: unique, sizes: sizes, expand: false) }
      var elsewhere = Set(output)
      for (j, other) in operands.enumerated() where j != i { elsewhere.formUnion(other.labels) }
      let keep = op.labels.filter { elsewhere.contains($0) }
      if keep.count != op.labels.count { op = Einsum.sum(op, keeping: keep) }
      operands[i] = op
    }
    var result = operands[0]
    for i in 1..<max(operands.count, 1) where operands.count > 1 {
      var later = Set(output)
      for other in operands[(i + 1)...] { later.formUnion(other.labels) }
      result = Einsum.contract(result, operands[i], keep: later)
    }
    // Sum what is left over, then order as the output.
    let remaining = result.labels.filter { output.contains($0) }
    if remaining.count != result.labels.count { result = Einsum.sum(result, keeping: remaining) }
    if result.labels != output { result = Einsum.relabel(result, to: output, sizes: sizes, expand: false) }
    return [NeuralSupport.restore(Tensor(result.data, shape: result.shape), to: tensors[0].dtype)]
  }

  /// Gathers `op` into the axes `labels` (a permutation, a diagonal when a label repeats in
  /// `op`, or a broadcast of size-1 axes when `expand`).
  static func relabel(_ op: Labeled, to labels: [Character], sizes: [Character: Int], expand: Bool) -> Labeled {
    let shape = labels.map { l in expand ? sizes[l]! : op.shape[op.labels.firstIndex(of: l)!] }
    var strides = [Int](repeating: 0, count: op.shape.count)
    var s = 1
    for a in stride(from: op.shape.count - 1, through: 0, by: -1) {
      strides[a] = op.shape[a] == 1 ? 0 : s
      s *= op.shape[a]
    }
    // Stride of each new axis: the sum of the strides of the old axes with its label.
    let newStrides = labels.map { l in
      op.labels.indices.filter { op.labels[$0] == l }.reduce(0) { $0 + strides[$1] }
    }
    let total = shape.reduce(1, *)
    var out = [Float](repeating: 0, count: total)
    var index = [Int](repeating: 0, count: shape.count)
    var offset = 0
    for flat in 0..<total {
      out[flat] = op.data[offset]
      var d = shape.count - 1
      while d >= 0 {
        index[d] += 1
        offset += newStrides[d]
        if index[d] < shape[d] { break }
        offset -= newStrides[d] * shape[d]
        index[d] = 0
        d -= 1
      }
    }
    return Labeled(data: out, shape: shape, labels: labels)
  }

  /// Sums away every label of `op` (unique labels) not in `keeping`, keeping `op`'s order.
  static func sum(_ op: Labeled, keeping: [Character]) -> Labeled {
    let kept = op.labels.filter { keeping.contains($0) }
    let shape = kept.map { op.shape[op.labels.firstIndex(of: $0)!] }
    var outStrides = [Int](repeating: 0, count: op.labels.count)
    var s = 1
    for l in kept.reversed() {
      outStrides[op.labels.firstIndex(of: l)!] = s
      s *= shape[kept.firstIndex(of: l)!]
    }
    var out = [Float](repeating: 0, count: shape.reduce(1, *))
    var index = [Int](repeating: 0, count: op.shape.count)
    var offset = 0
    for flat in 0..<op.data.count {
      out[offset] += op.data[flat]
      var d = op.shape.count - 1
      while d >= 0 {
        index[d] += 1
        offset += outStrides[d]
        if index[d] < op.shape[d] { break }
        offset -= outStrides[d] * op.shape[d]
        index[d] = 0
        d -= 1
      }
    }
    return Labeled(data: out, shape: shape, labels: kept)
  }

  /// Contracts two operands with unique labels: labels in both and in `keep` are batch axes,
  /// labels in both and not kept are summed, the rest are free. One batched GEMM.
  static func contract(_ a: Labeled, _ b: Labeled, keep: Set<Character>) -> Labeled {
    let common = a.labels.filter { b.labels.contains($0) }
    let batch = common.filter { keep.contains($0) }
    let reduced = common.filter { !keep.contains($0) }
    let aFree = a.labels.filter { !b.labels.contains($0) }
    let bFree = b.labels.filter { !a.labels.contains($0) }
    func size(_ ls: [Character], _ op: Labeled) -> Int {
      ls.reduce(1) { $0 * op.shape[op.labels.firstIndex(of: $1)!] }
    }
    var sizes: [Character: Int] = [:]
    for (l, s) in zip(a.labels, a.shape) { sizes[l] = s }
    for (l, s) in zip(b.labels, b.shape) { sizes[l] = s }
    let aOrder = batch + aFree + reduced
    let bOrder = batch + reduced + bFree
    let ap = a.labels == aOrder ? a : relabel(a, to: aOrder, sizes: sizes, expand: false)
    let bp = b.labels == bOrder ? b : relabel(b, to: bOrder, sizes: sizes, expand: false)
    let nb = size(batch, a)
    let m = size(aFree, a)
    let k = size(reduced, a)
    let n = size(bFree, b)
    var out = [Float](repeating: 0, count: nb * m * n)
    if out.count > 0 {
      ap.data.withUnsafeBufferPointer { x in
        bp.data.withUnsafeBufferPointer { y in
          out.withUnsafeMutableBufferPointer { z in
            let xa = x.baseAddress ?? UnsafePointer(z.baseAddress!)
            let ya = y.baseAddress ?? UnsafePointer(z.baseAddress!)
            for i in 0..<nb {
              GemmKernel.gemm(
                transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: xa + i * m * k,
                lda: max(k, 1), b: ya + i * k * n, ldb: max(n, 1), beta: 0, c: z.baseAddress! + i * m * n,
                ldc: max(n, 1))
            }
          }
        }
      }
    }
    let labels = batch + aFree + bFree
    return Labeled(data: out, shape: labels.map { sizes[$0]! }, labels: labels)
  }
}
