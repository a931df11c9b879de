import TuneIR
import TuneTensor

extension Tensor {
  /// Sums a float gradient shaped like a broadcast result back to `shape`: over leading axes
  /// `shape` lacks, and over axes where `shape` has 1 and the gradient more.
  func unbroadcast(to shape: [Int]) throws -> Tensor {
    if self.shape == shape { return self }
    guard dtype == .float else { throw OpError("gradient is \(dtype), expected float") }
    guard rank >= shape.count, Broadcast.shape(of: [shape, self.shape]) == self.shape else {
      throw OpError("gradient of shape \(self.shape) cannot be reduced to the input's shape \(shape)")
    }
    if Tensor.elementCount(shape) == count { return reshaped(shape) }
    var out = Tensor(zeros: .float, shape: shape)
    let outStrides = Broadcast.strides(of: shape, broadcastTo: self.shape)
    out.withMutableElements(as: Float.self) { o in
      withElements(as: Float.self) { g in
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        for i in 0..<count {
          o[offset] += g[i]
          var axis = rank - 1
          while axis >= 0 {
            index[axis] += 1
            offset += outStrides[axis]
            if index[axis] < self.shape[axis] { break }
            offset -= outStrides[axis] * self.shape[axis]
            index[axis] = 0
            axis -= 1
          }
        }
      }
    }
    return out
  }

  /// Elementwise sum of two float tensors of one shape.
  func adding(_ other: Tensor) -> Tensor {
    var out = self
    out.withMutableElements(as: Float.self) { a in
      other.withElements(as: Float.self) { b in
        for i in a.indices { a[i] += b[i] }
      }
    }
    return out
  }
}
