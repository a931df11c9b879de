import TuneTensor

/// ONNX `TopK`: the `k` largest (or smallest, `largest = 0`) elements along `axis`, with their
/// int64 indices; ties keep the lower index first. `k` is an attribute in opset 1 and the
/// second input (a 1-element int64 tensor) from opset 10; `largest` and `sorted` exist from 11
/// (results are always sorted, which `sorted = 0` permits).
/// https://onnx.ai/onnx/operators/onnx__TopK.html
public struct TopK: Operator {
  public static let opType = "TopK"
  public var axis: Int
  public var largest: Bool
  public var k: Int?

  public init(node: Node, opset: Int) throws {
    axis = try node.int("axis", default: -1)
    largest = opset >= 11 ? try node.int("largest", default: 1) != 0 : true
    k = opset < 10 ? try node.intIfPresent("k") : nil
    if opset < 10 && k == nil { throw OpError("attribute 'k' is required before opset 10") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    var k = self.k ?? 0
    if self.k == nil {
      let kt = try NeuralSupport.required(inputs, 1, "K")
      guard kt.count == 1 else { throw OpError("K must hold one value, got shape \(kt.shape)") }
      k = Int(kt.int64Values()[0])
    }
    guard x.rank > 0 else { throw OpError("X must have rank >= 1") }
    let a = axis < 0 ? axis + x.rank : axis
    guard a >= 0 && a < x.rank else { throw OpError("axis \(axis) is out of range for rank \(x.rank)") }
    let n = x.shape[a]
    guard k >= 0 && k <= n else { throw OpError("k = \(k) must be in [0, \(n)] (axis \(a) of \(x.shape))") }
    guard x.dtype != .string, x.dtype.elementSize > 0 else { throw OpError("X must be numeric, got \(x.dtype)") }
    let outer = x.shape[..<a].reduce(1, *)
    let inner = x.shape[(a + 1)...].reduce(1, *)
    var outShape = x.shape
    outShape[a] = k
    var values = Tensor(uninitialized: x.dtype, shape: outShape)
    var indices = Tensor(uninitialized: .int64, shape: outShape)
    let load = Tensor.loader(x.dtype)
    let size = x.dtype.elementSize
    let src = x.buffer.pointer
    let dst = values.buffer.pointer
    let largest = self.largest
    indices.withMutableElements(as: Int64.self) { ip in
      var column = [Double](repeating: 0, count: n)
      var order = [Int](repeating: 0, count: n)
      for o in 0..<outer {
        for i in 0..<inner {
          let base = o * n * inner + i
          for j in 0..<n {
            column[j] = load(src, base + j * inner)
            order[j] = j
          }
          order.sort { p, q in
            let u = column[p]
            let v = column[q]
            if u == v || (u.isNaN && v.isNaN) { return p < q }
            if u.isNaN { return largest }  // NaN counts as the largest value
            if v.isNaN { return !largest }
            return largest ? u > v : u < v
          }
          for j in 0..<k {
            let out = o * k * inner + j * inner + i
            ip[out] = Int64(order[j])
            (dst + out * size).copyMemory(from: src + (base + order[j] * inner) * size, byteCount: size)
          }
        }
      }
    }
    values.strings = []
    return [values, indices]
  }
}
