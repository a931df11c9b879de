import TuneTensor

/// The attributes MaxPool, AveragePool and LpPool share, and the output-size rule
/// (https://onnx.ai/onnx/operators/onnx__MaxPool.html): with explicit pads
/// `out = floor_or_ceil((in + pad_begin + pad_end − ((k−1)·d + 1)) / s) + 1`, where a ceil-mode
/// window that would start in the end padding is dropped; `SAME_*` gives `ceil(in / s)` and
/// `VALID` no padding.
struct PoolAttributes: Sendable {
  var autoPad: String
  var ceilMode: Bool
  var dilations: [Int]?
  var kernelShape: [Int]
  var pads: [Int]?
  var strides: [Int]?

  init(node: Node) throws {
    autoPad = try node.string("auto_pad", default: "NOTSET")
    ceilMode = try node.int("ceil_mode", default: 0) != 0
    dilations = try node.ints("dilations")
    guard let k = try node.ints("kernel_shape") else {
      throw OpError("attribute 'kernel_shape' is required")
    }
    kernelShape = k
    pads = try node.ints("pads")
    strides = try node.ints("strides")
    guard ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"].contains(autoPad) else {
      throw OpError("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got \(autoPad)")
    }
  }

  /// The pooling geometry for an input of shape `[N, C, D...]`.
  func shape(input: [Int]) throws -> PoolKernel.Shape {
    guard input.count >= 3 else { throw OpError("X must be [N, C, D1, ...], got \(input)") }
    let image = Array(input[2...])
    let spatial = image.count
    var window = try NeuralSupport.readWindow(
      kernel: kernelShape, strides: strides, dilations: dilations,
      pads: autoPad == "NOTSET" ? pads : nil, spatialRank: spatial)
    var out = [Int]()
    for i in 0..<spatial {
      let effective = (kernelShape[i] - 1) * window.dilations[i] + 1
      let s = window.strides[i]
      switch autoPad {
      case "SAME_UPPER", "SAME_LOWER":
        let o = (image[i] + s - 1) / s
        let total = max(0, (o - 1) * s + effective - image[i])
        window.padsBegin[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2
        window.padsEnd[i] = total - window.padsBegin[i]
        out.append(o)
      default:
        let span = image[i] + window.padsBegin[i] + window.padsEnd[i] - effective
        guard span >= 0 else {
          throw OpError("padded input \(span + effective) is smaller than the window \(effective) on spatial axis \(i)")
        }
        var o = (ceilMode ? (span + s - 1) / s : span / s) + 1
        if ceilMode && (o - 1) * s >= image[i] + window.padsBegin[i] { o -= 1 }
        out.append(o)
      }
    }
    return PoolKernel.Shape(
      window: WindowGeometry(
        imageSpatial: image, outputSpatial: out, kernel: kernelShape, strides: window.strides,
        dilations: window.dilations, padsBegin: window.padsBegin),
      padsEnd: window.padsEnd)
  }

  /// Runs a pooling kind on `x`, returning Y (in X's dtype) and, if asked, the argmax indices.
  static func run(
    _ kind: PoolKernel.Kind, shape: PoolKernel.Shape, x xIn: Tensor, wantIndices: Bool = false,
    columnMajorIndices: Bool = false
  ) throws -> [Tensor] {
    let x = try NeuralSupport.asFloat(xIn, "X")
    let outShape = Array(xIn.shape[0..<2]) + shape.window.outputSpatial
    var y = Tensor(uninitialized: .float, shape: outShape)
    var indices = Tensor(uninitialized: .int64, shape: wantIndices ? outShape : [0])
    let planes = xIn.shape[0] * xIn.shape[1]
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        indices.withMutableElements(as: Int64.self) { ip in
          guard yp.count > 0, xp.count > 0 else { return }
          let idx = wantIndices ? ip.baseAddress : nil
          if shape.window.rank <= 2 {
            PoolKernel.pool2D(
              kind, shape: shape, planes: planes, input: xp.baseAddress!, output: yp.baseAddress!,
              indices: idx, columnMajorIndices: columnMajorIndices)
          } else {
            PoolKernel.poolNaive(
              kind, shape: shape, planes: planes, input: xp.baseAddress!, output: yp.baseAddress!,
              indices: idx, columnMajorIndices: columnMajorIndices)
          }
        }
      }
    }
    let result = NeuralSupport.restore(y, to: xIn.dtype)
    return wantIndices ? [result, indices] : [result]
  }

  /// Global pooling of `[N, C, D...]` to `[N, C, 1, ...]`.
  static func global(max isMax: Bool, x xIn: Tensor) throws -> Tensor {
    guard xIn.rank >= 2 else { throw OpError("X must be [N, C, ...], got \(xIn.shape)") }
    let x = try NeuralSupport.asFloat(xIn, "X")
    let planes = xIn.shape[0] * xIn.shape[1]
    var y = Tensor(uninitialized: .float, shape: Array(xIn.shape[0..<2]) + Array(repeating: 1, count: xIn.rank - 2))
    let planeSize = xIn.shape[2...].reduce(1, *)
    x.withElements(as: Float.self) { xp in
      y.withMutableElements(as: Float.self) { yp in
        guard yp.count > 0 else { return }
        PoolKernel.global(max: isMax, planes: planes, planeSize: planeSize, input: xp.baseAddress ?? UnsafePointer(yp.baseAddress!), output: yp.baseAddress!)
      }
    }
    return NeuralSupport.restore(y, to: xIn.dtype)
  }
}
