import Foundation
import TuneIR
import TuneTensor

/// A model ready to run in inference mode (`BatchNormalization` uses its running statistics,
/// `Dropout` passes through).
///
/// The plan is built once, when the session is made, and serves every set of input shapes
/// (any batch size). Weights are used where the model holds them, never copied. Several threads
/// may run one session at once (each run has its own values and context).
///
///     let model = try ONNXReader.readModel(atPath: "resnet18.onnx")
///     let session = try InferenceSession(model: model)
///     let outputs = try session.run(["input": image])   // ["logits": Tensor]
public final class InferenceSession: @unchecked Sendable {
  public let model: Model
  public let plan: ExecutionPlan
  /// Seed of the random source ops may use (random ops, not Dropout in inference). Set it
  /// before running.
  public var seed: UInt64 = 0
  private let lock = NSLock()
  private var statistics = RunStatistics()
  /// Memory use of the last run to finish.
  public var lastRunStatistics: RunStatistics {
    lock.lock()
    defer { lock.unlock() }
    return statistics
  }

  /// When true, each run times its nodes (`lastRunStatistics.opTimes`).
  public var profiling = false
  /// What `optimize` changed (empty when it was off or changed nothing).
  public private(set) var optimizations: [PassReport] = []

  /// Plans `model`. Throws when an op is unsupported or the graph is malformed, naming the node.
  /// - Parameters:
  ///   - operators: where op types are found (default: every registered op).
  ///   - optimize: rewrites the graph for inference first, as onnxruntime's optimizer does:
  ///     BatchNormalization folded into the Conv or Gemm before it (outputs within float
  ///     rounding of the original graph's), then Conv fused with the Add and activation after
  ///     it (`ConvActivationFusion`, bit-identical), then MobileNet-style blocks on small planes
  ///     run with the batch folded into their rows (`BatchFolding`, within float rounding), then
  ///     a 1×1 convolution with the depthwise one after it (`PointwiseDepthwiseFusion`, within
  ///     float rounding). When a rewrite does not apply to the model, the graph is run as written.
  public init(model: Model, operators: OperatorResolver = .standard, optimize: Bool = false) throws {
    var m = model
    if optimize, m.graph != nil {
      var candidate = m
      ConvActivationFusion.prepare(&candidate)
      PointwiseDepthwiseFusion.prepare(&candidate)
      BatchFolding.prepare(&candidate)
      if let reports = try? PassDriver.run(
        [
          BatchNormFolding(), DeadNodeElimination(), ConvActivationFusion(), BatchFolding(), PointwiseDepthwiseFusion(),
          DeadNodeElimination(),
        ], on: &candidate)
      {
        m = candidate
        optimizations = reports.filter { $0.nodesRemoved + $0.nodesAdded + $0.initializersChanged > 0 }
      }
    }
    self.model = m
    self.plan = try ExecutionPlan(model: m, operators: operators)
  }

  /// Inputs the caller must bind, with their declared types.
  public var inputs: [(name: String, type: TypeProto?)] { plan.inputs.map { ($0.name, $0.type) } }
  /// Output names, in graph order.
  public var outputNames: [String] { plan.outputs.map(\.name) }

  /// Runs the model; returns every graph output by name.
  public func run(_ inputs: [String: Tensor]) throws -> [String: Tensor] {
    let values = try runOrdered(inputs)
    var out: [String: Tensor] = [:]
    for (name, v) in zip(outputNames, values) { out[name] = v }
    return out
  }

  /// Runs the model; returns the graph outputs in order.
  public func runOrdered(_ inputs: [String: Tensor]) throws -> [Tensor] {
    let context = ExecutionContext(training: false, seed: seed)
    context.profiling = profiling
    var stats = RunStatistics()
    let out = try Executor.run(plan, inputs: inputs, context: context, statistics: &stats)
    lock.lock()
    statistics = stats
    lock.unlock()
    return out
  }
}
