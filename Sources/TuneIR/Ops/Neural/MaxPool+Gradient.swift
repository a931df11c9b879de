import TuneTensor

/// Gradient of `MaxPool`: each output gradient goes to the input position that held the
/// window's maximum (saved by the training forward as flat indices; ties go to the first).
extension MaxPool: DifferentiableOperator {
  public func forwardForTraining(_ inputs: [Tensor?], context: ExecutionContext) throws -> (
    outputs: [Tensor], saved: [Tensor]
  ) {
    let x = try NeuralSupport.required(inputs, 0, "X")
    let shape = try attributes.shape(input: x.shape)
    let results = try PoolAttributes.run(.max, shape: shape, x: x, wantIndices: true, columnMajorIndices: false)
    guard results.count == 2 else { return (results, []) }
    var outputs = [results[0]]
    if wantsIndices {
      outputs.append(
        storageOrder == 1
          ? try PoolAttributes.run(.max, shape: shape, x: x, wantIndices: true, columnMajorIndices: true)[1] : results[1])
    }
    return (outputs, [results[1]])
  }

  public func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?], needed: [Bool],
    context: ExecutionContext
  ) throws -> [Tensor?] {
    let x = try GradientSupport.float(inputs[0], "X")
    let dy = try GradientSupport.float(outputGradients[0], "dY")
    guard let indices = saved.first else { throw OpError("MaxPool gradient needs the training forward's indices") }
    var dx = Tensor(zeros: .float, shape: x.shape)
    let idx = indices.int64Values()
    dx.withMutableElements(as: Float.self) { d in
      dy.withElements(as: Float.self) { g in
        for i in 0..<min(idx.count, g.count) {
          let j = Int(idx[i])
          if j >= 0 && j < d.count { d[j] += g[i] }
        }
      }
    }
    return [dx]
  }
}
