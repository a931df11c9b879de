import TuneTensor

/// ONNX `Upsample` (deprecated since opset 10 in favour of Resize): `output size =
/// floor(input size · scale)`, nearest (floor rounding) or linear with asymmetric coordinates.
/// Scales are an attribute in opset 7 and the second input from opset 9.
/// https://onnx.ai/onnx/operators/onnx__Upsample.html
public struct Upsample: Operator {
  public static let opType = "Upsample"
  public var mode: String
  public var scales: [Float]?

  public init(node: Node, opset: Int) throws {
    mode = try node.string("mode", default: "nearest")
    if mode == "bilinear" { mode = "linear" }
    guard mode == "nearest" || mode == "linear" else {
      throw OpError("mode must be nearest or linear, got \(mode)")
    }
    scales = opset < 9 ? try node.floats("scales") : nil
    if opset < 9 && scales == nil { throw OpError("attribute 'scales' is required before opset 9") }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let scales = try self.scales ?? NeuralSupport.required(inputs, 1, "scales").floatValues()
    guard scales.count == x.rank else {
      throw OpError("scales has \(scales.count) values, expected one per axis (\(x.rank))")
    }
    var sizes = x.shape
    for a in 0..<x.rank where scales[a] != 1 {
      guard scales[a] > 0, scales[a].isFinite, Double(scales[a]) * Double(x.shape[a]) < 1e9 else {
        throw OpError("scales must be positive and finite with outputs under 1e9 elements, got \(scales)")
      }
      sizes[a] = Int(Double(scales[a]) * Double(x.shape[a]))
    }
    // The output, the buffers between axes and the tables fit before any is built.
    try Resize.checkSizes(
      input: x.shape, dtype: x.dtype, sizes: sizes,
      taps: (0..<x.rank).map { scales[$0] != 1 ? Resize.tapCount(mode: mode, antialias: false, scale: Double(scales[$0])) : 0 })
    var tables = [ResizeKernel.AxisTable?](repeating: nil, count: x.rank)
    for a in 0..<x.rank where scales[a] != 1 {
      tables[a] = try Resize.table(
        inputSize: x.shape[a], outputSize: sizes[a], scale: Double(scales[a]), mode: mode,
        coordinateMode: "asymmetric", nearestMode: "floor")
    }
    let input = try NeuralSupport.asFloat(x, "X").elements(as: Float.self)
    let (values, shape) = ResizeKernel.resize(input, shape: x.shape, tables: tables, extrapolationValue: 0)
    return [NeuralSupport.restore(Tensor(values, shape: shape), to: x.dtype)]
  }
}
