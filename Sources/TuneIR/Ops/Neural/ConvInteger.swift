import TuneTensor

/// ONNX `ConvInteger`: `Conv` of `(x − x_zero_point)` with `(w − w_zero_point)` on 8-bit
/// integers, giving int32 (`w_zero_point` is a scalar or one value per output channel).
/// Computed through the float convolution, which is exact while every sum stays below 2^24 in
/// magnitude.
/// https://onnx.ai/onnx/operators/onnx__ConvInteger.html
public struct ConvInteger: Operator {
  public static let opType = "ConvInteger"
  var conv: Conv

  public init(node: Node, opset: Int) throws {
    conv = try Conv(node: node, opset: 11)
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let xIn = try NeuralSupport.required(inputs, 0, "x")
    let wIn = try NeuralSupport.required(inputs, 1, "w")
    for (t, name) in [(xIn, "x"), (wIn, "w")] where t.dtype != .uint8 && t.dtype != .int8 {
      throw OpError("\(name) must be uint8 or int8, got \(t.dtype)")
    }
    let xZero = NeuralSupport.optional(inputs, 2).map { $0.floatValues() } ?? [0]
    guard xZero.count == 1 else { throw OpError("x_zero_point must be a scalar, got \(xZero.count) values") }
    let m = wIn.shape.first ?? 0
    var wZero = NeuralSupport.optional(inputs, 3).map { $0.floatValues() } ?? [0]
    if wZero.count == 1 { wZero = Array(repeating: wZero[0], count: m) }
    guard wZero.count == m else { throw OpError("w_zero_point must be a scalar or have \(m) values") }
    let x = Tensor(xIn.floatValues().map { $0 - xZero[0] }, shape: xIn.shape)
    let perChannel = m > 0 ? wIn.count / m : 0
    let w = Tensor(wIn.floatValues().enumerated().map { $0.element - wZero[$0.offset / max(perChannel, 1)] }, shape: wIn.shape)
    let y = try conv.forward([x, w], context: context)[0]
    return [y.converted(to: .int32)]
  }
}
