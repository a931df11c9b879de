import TuneTensor

/// `ReduceSumSquare`: y = Σ x² over `axes`.
/// `axes` is an attribute before opset 18 and the optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceSumSquare.html
public struct ReduceSumSquare: ReduceOperator, DifferentiableOperator {
  public static let opType = "ReduceSumSquare"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, T.multiply(e, e)) }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?] {
    guard needed.first == true, let g = MathGradients.outputGradient(outputGradients) else {
      return inputs.map { _ in nil }
    }
    let x = try MathGradients.float(inputs, 0)
    let mask = try axes.reducedAxes(inputs, rank: x.rank)
    let keep = zip(x.shape, mask).map { $1 ? 1 : $0 }
    let dx = Elementwise.zip(x, g.reshaped(keep), as: Float.self, shape: x.shape) { x, g in 2 * x * g }
    return [dx] + inputs.dropFirst().map { _ in nil }
  }
}
