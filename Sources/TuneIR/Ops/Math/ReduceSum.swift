import TuneTensor

/// `ReduceSum`: y = Σ x over `axes`.
/// `axes` is an attribute before opset 13 and the optional second input from 13.
/// https://onnx.ai/onnx/operators/onnx__ReduceSum.html
public struct ReduceSum: ReduceOperator, DifferentiableOperator {
  public static let opType = "ReduceSum"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 13)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }

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
    return [MathGradients.broadcast(g.reshaped(keep), to: x.shape)] + inputs.dropFirst().map { _ in nil }
  }
}
