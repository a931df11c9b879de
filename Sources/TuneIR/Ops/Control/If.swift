import TuneTensor

/// `If`: runs `then_branch` when the single-element `cond` is true, else `else_branch`, and
/// returns that branch's outputs. Branches have no inputs; they read the enclosing scope.
/// Spec: https://onnx.ai/onnx/operators/onnx__If.html
public struct If: Operator {
  public static let opType = "If"
  public let thenBranch: Graph
  public let elseBranch: Graph

  public init(node: Node, opset: Int) throws {
    guard let t = try node.graph("then_branch") else { throw OpError("missing attribute 'then_branch'") }
    guard let e = try node.graph("else_branch") else { throw OpError("missing attribute 'else_branch'") }
    thenBranch = t
    elseBranch = e
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    guard let c = inputs.first ?? nil else { throw OpError("input 'cond' is required") }
    let branch = try c.conditionValue("cond") ? thenBranch : elseBranch
    return try context.run(subgraph: branch, [:])
  }
}
