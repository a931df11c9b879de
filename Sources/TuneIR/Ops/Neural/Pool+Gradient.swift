import TuneTensor

/// Gradient of `GlobalMaxPool`: each plane's output gradient goes to the position of its
/// maximum (the first one on ties).
extension GlobalMaxPool: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let planes = x.shape[0] * x.shape[1]
    let plane = x.count / max(planes, 1)
    var dx = Tensor(zeros: .float, shape: x.shape)
    x.withElements(as: Float.self) { xp in
      dy.withElements(as: Float.self) { g in
        dx.withMutableElements(as: Float.self) { d in
          for p in 0..<planes where plane > 0 {
            var best = p * plane
            for i in (p * plane)..<((p + 1) * plane) where xp[i] > xp[best] { best = i }
            d[best] = g[p]
          }
        }
      }
    }
    return [dx]
  }
}

/// Gradient of `AveragePool`: each output gradient is spread evenly over the input positions
/// its window averaged (the divisor counts padding when `count_include_pad` is set; positions
/// past the padded end, from `ceil_mode`, never count).
extension AveragePool: DifferentiableOperator {
  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    let shape = try attributes.shape(input: x.shape)
    let w = shape.window
    let rank = w.rank
    let planes = x.shape[0] * x.shape[1]
    let imageCount = w.imageCount
    let outputCount = w.outputCount
    var dx = Tensor(zeros: .float, shape: x.shape)
    // For every output position: the input offsets its window reads, and the divisor.
    var windows: [([Int], Float)] = []
    windows.reserveCapacity(outputCount)
    var out = [Int](repeating: 0, count: rank)
    for _ in 0..<outputCount {
      var offsets: [Int] = []
      var divisor = 0
      var k = [Int](repeating: 0, count: rank)
      for _ in 0..<w.kernelCount {
        var valid = true
        var padded = true
        var offset = 0
        for d in 0..<rank {
          let i = out[d] * w.strides[d] - w.padsBegin[d] + k[d] * w.dilations[d]
          if i < 0 || i >= w.imageSpatial[d] { valid = false }
          if i < -w.padsBegin[d] || i >= w.imageSpatial[d] + shape.padsEnd[d] { padded = false }
          offset = offset * w.imageSpatial[d] + i
        }
        if valid { offsets.append(offset) }
        if countIncludePad ? padded : valid { divisor += 1 }
        var d = rank - 1
        while d >= 0 {
          k[d] += 1
          if k[d] < w.kernel[d] { break }
          k[d] = 0
          d -= 1
        }
      }
      windows.append((offsets, 1 / Float(max(divisor, 1))))
      var d = rank - 1
      while d >= 0 {
        out[d] += 1
        if out[d] < w.outputSpatial[d] { break }
        out[d] = 0
        d -= 1
      }
    }
    dy.withElements(as: Float.self) { g in
      dx.withMutableElements(as: Float.self) { dd in
        for p in 0..<planes {
          for (o, (offsets, scale)) in windows.enumerated() {
            let v = g[p * outputCount + o] * scale
            for off in offsets { dd[p * imageCount + off] += v }
          }
        }
      }
    }
    return [dx]
  }
}
