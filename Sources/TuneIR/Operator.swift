import TuneTensor

/// One ONNX operator: its typed attributes (read from a node for an opset version), its
/// forward computation and, for differentiable ops, its gradient.
///
/// Each op lives in one file under `Ops/` (`Gemm.swift` holds `Gemm`), registered in
/// `OperatorRegistry`. Ops never see graph structure: the executor hands them input tensors
/// and wraps any error with the node's name, op type and input shapes.
public protocol Operator: Sendable {
  /// The ONNX op type, e.g. `"Gemm"`.
  static var opType: String { get }
  /// The op's domain ("" for the default `ai.onnx` domain).
  static var domain: String { get }
  /// Reads attributes (spec defaults applied) for the node's opset version of this op's domain.
  init(node: Node, opset: Int) throws
  /// Computes the outputs. `inputs[i]` is nil when optional input `i` is omitted; the result
  /// has one tensor per node output the op produces (trailing optional outputs may be omitted).
  func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor]
  /// `forward` for an executor that hands over the inputs nothing reads after this node: it
  /// moved them out of its own storage, so the op may take such an input out of `inputs` and
  /// write its output into that input's buffer when `Tensor.isUniquelyReferenced()` says no
  /// other tensor shares it (activations, BatchNormalization and elementwise arithmetic do).
  /// The default calls `forward`. The results must equal `forward`'s.
  func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor]
}

extension Operator {
  public static var domain: String { "" }
  public func forward(reusing inputs: inout [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    try forward(inputs, context: context)
  }
}

/// An operator with a gradient (vector-Jacobian product).
///
/// The backward driver calls `forwardForTraining` on recorded nodes, keeps what it returns in
/// `saved` until `backward` runs, then frees it. Un-broadcasting and gradient accumulation are
/// the driver's job: `backward` may return a gradient with the *output's* broadcast shape for
/// an input that was broadcast, and the driver reduces it.
public protocol DifferentiableOperator: Operator {
  /// Forward in training mode, also returning anything `backward` needs beyond the inputs and
  /// outputs (a dropout mask, batch statistics). Default: `forward`, nothing saved.
  func forwardForTraining(_ inputs: [Tensor?], context: ExecutionContext) throws -> (
    outputs: [Tensor], saved: [Tensor]
  )
  /// Input gradients given output gradients (nil for an output nothing depends on).
  /// Returns one entry per input; nil where `needed[i]` is false or the input is not differentiable.
  func backward(
    inputs: [Tensor?], outputs: [Tensor], saved: [Tensor], outputGradients: [Tensor?],
    needed: [Bool], context: ExecutionContext
  ) throws -> [Tensor?]
}

extension DifferentiableOperator {
  public func forwardForTraining(_ inputs: [Tensor?], context: ExecutionContext) throws -> (
    outputs: [Tensor], saved: [Tensor]
  ) {
    (try forward(inputs, context: context), [])
  }
}

/// Per-run state an op may consult: training mode, a seeded random source, and a way to run
/// subgraphs (for `If`, `Loop`, `Scan`).
public final class ExecutionContext: @unchecked Sendable {
  /// True while training: BatchNormalization uses batch statistics, Dropout drops.
  public var training: Bool
  public var random: SeededRandom
  /// Runs a subgraph with the given values bound by name (outer-scope values are visible);
  /// returns the subgraph's outputs in order. Set by the executor.
  public var runSubgraph: ((Graph, [String: Tensor]) throws -> [Tensor])?
  /// When true the executor times every node and adds the times per op type to the run's
  /// statistics (`onnx-tune run --profile`).
  public var profiling = false

  public init(training: Bool = false, seed: UInt64 = 0) {
    self.training = training
    self.random = SeededRandom(seed: seed)
  }
}

/// A small, fast, seedable generator (SplitMix64), so runs with one seed are reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
  private var state: UInt64
  public init(seed: UInt64) { state = seed }
  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
  /// Uniform in [0, 1).
  public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / Float(1 << 24)) }
}

/// An error raised by an op; the executor adds the node's name, op type and input shapes.
public struct OpError: Error, CustomStringConvertible, Sendable {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// An op that keeps running state in some of its inputs (BatchNormalization's running mean and
/// variance). After a training-mode forward, the trainer writes the new values back into the
/// initializers feeding those inputs; they are never trained by gradient.
public protocol RunningStatisticsOperator: DifferentiableOperator {
  /// New values for state inputs, by input index, from a training-mode `forwardForTraining`.
  func runningStatisticsUpdates(inputs: [Tensor?], saved: [Tensor]) -> [(input: Int, value: Tensor)]
}
