import TuneTensor

/// `ReduceMean`: y = Σ x / n over `axes` (integers divide truncating).
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceMean.html
public struct ReduceMean: ReduceOperator, DifferentiableOperator {
  public static let opType = "ReduceMean"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }
  public func finish<T: NumericScalar>(_ a: T, count: Int) -> T { T.divide(a, T(clamping: Double(count))) }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return inputs.map { _ in nil }
    }
    let x = try MathSupport.required(inputs, 0)
    let mask = try axes.reducedAxes(inputs, rank: x.rank)
    let keep = zip(x.shape, mask).map { $1 ? 1 : $0 }
    let n = Float(zip(x.shape, mask).reduce(1) { $1.1 ? $0 * $1.0 : $0 })
    let dx = MathGradients.broadcast(Elementwise.map(g.reshaped(keep), as: Float.self) { $0 / n }, to: x.shape)
    return [dx] + inputs.dropFirst().map { _ in nil }
  }
}
