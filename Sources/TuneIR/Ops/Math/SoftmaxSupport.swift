import TuneTensor

/// The shared layout rule of Softmax, LogSoftmax and Hardmax: before opset 13 the input is
/// coerced to 2-D at `axis` (default 1) and normalised over the trailing block; from 13 the
/// op runs along the single `axis` (default -1).
struct SoftmaxLayout {
  var axis: Int
  var legacy: Bool

  init(node: Node, opset: Int) throws {
    legacy = opset < 13
    axis = try node.int("axis", default: legacy ? 1 : -1)
  }

  /// `(outer, length, inner)`: rows of `length` elements `inner` apart.
  func split(_ shape: [Int]) throws -> (outer: Int, length: Int, inner: Int) {
    let rank = shape.count
    if rank == 0 { return (1, 1, 1) }
    if legacy {
      guard axis >= -rank, axis <= rank else {
        throw OpError("axis \(axis) is out of range for rank \(rank)")
      }
      let a = axis < 0 ? axis + rank : axis
      return (shape[..<a].reduce(1, *), shape[a...].reduce(1, *), 1)
    }
    return MathSupport.split(shape, axis: try MathSupport.normalizedAxis(axis, rank: rank))
  }

  /// Runs `row(input, output, length, stride)` on every row of a float tensor (double and
  /// half precision via their own type or float).
  func apply(
    _ x: Tensor,
    _ row: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
  ) throws -> Tensor {
    guard x.dtype.isFloatingPoint else {
      throw OpError("expected a floating point input, got \(x.dtype)")
    }
    if x.dtype != .float {
      return try apply(x.converted(to: .float), row).converted(to: x.dtype)
    }
    let (outer, length, inner) = try split(x.shape)
    let out = Tensor(uninitialized: .float, shape: x.shape)
    let src = x.buffer.pointer.assumingMemoryBound(to: Float.self)
    let dst = out.buffer.pointer.assumingMemoryBound(to: Float.self)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        row(src + base, dst + base, length, inner)
      }
    }
    return out
  }

  /// Runs `row(y, g, out, length, stride)` over matching rows of float tensors `y` and `g`.
  func gradient(
    _ y: Tensor, _ g: Tensor,
    _ row: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, Int, Int)
      -> Void
  ) throws -> Tensor {
    let (outer, length, inner) = try split(y.shape)
    let out = Tensor(uninitialized: .float, shape: y.shape)
    let py = y.buffer.pointer.assumingMemoryBound(to: Float.self)
    let pg = g.buffer.pointer.assumingMemoryBound(to: Float.self)
    let po = out.buffer.pointer.assumingMemoryBound(to: Float.self)
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * length * inner + i
        row(py + base, pg + base, po + base, length, inner)
      }
    }
    return out
  }
}
