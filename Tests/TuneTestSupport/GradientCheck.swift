import TuneIR
import TuneTensor

/// Central finite-difference checks of gradient rules (tinygrad's `helper_test_op` idea).
///
/// The scalar checked is L = Σ r ⊙ y over every output y, with fixed random weights r, so
/// every output element matters. Each input element x is perturbed by ±h; the numeric
/// derivative (L(x+h) − L(x−h)) / 2h is compared with the op's `backward`, computed in float32.
public enum GradientCheck {
  public struct Mismatch: CustomStringConvertible, Sendable {
    public var input: Int
    public var index: Int
    public var analytic: Float
    public var numeric: Float
    public var description: String { "input \(input)[\(index)]: analytic \(analytic), numeric \(numeric)" }
  }

  /// Checks `op`'s gradients for the float inputs listed in `wrt`.
  /// Tolerance: |analytic − numeric| ≤ atol + rtol·|numeric| (defaults 1e-2, 1e-2 for float32
  /// with h = 1e-2, evaluated in double where the op allows). `outputs` limits the check to
  /// the first outputs (ops whose extra outputs have no gradient rule).
  public static func check(
    _ op: any DifferentiableOperator, inputs: [Tensor?], wrt: [Int], step h: Float = 1e-2,
    rtol: Float = 1e-2, atol: Float = 1e-2, seed: UInt64 = 7, training: Bool = false,
    outputs outputLimit: Int? = nil
  ) throws -> [Mismatch] {
    let context = ExecutionContext(training: training, seed: seed)
    var (outputs, saved) = try op.forwardForTraining(inputs, context: ExecutionContext(training: training, seed: seed))
    if let limit = outputLimit { outputs = Array(outputs.prefix(limit)) }
    var rng = SeededRandom(seed: seed &+ 99)
    let weights = outputs.map { o in Tensor((0..<o.count).map { _ in rng.nextFloat() * 2 - 1 }, shape: o.shape) }
    func loss(_ ins: [Tensor?]) throws -> Double {
      var outs = try op.forwardForTraining(ins, context: ExecutionContext(training: training, seed: seed)).outputs
      if let limit = outputLimit { outs = Array(outs.prefix(limit)) }
      var total = 0.0
      for (o, w) in zip(outs, weights) where o.dtype == .float {
        let a = o.floatValues()
        let b = w.floatValues()
        for i in a.indices { total += Double(a[i]) * Double(b[i]) }
      }
      return total
    }
    let outputGradients: [Tensor?] = zip(outputs, weights).map { o, w in o.dtype == .float ? w : nil }
    let needed = inputs.indices.map { wrt.contains($0) }
    let analytic = try op.backward(
      inputs: inputs, outputs: outputs, saved: saved, outputGradients: outputGradients, needed: needed,
      context: context)
    var mismatches: [Mismatch] = []
    for i in wrt {
      guard let x = inputs[i] else { continue }
      guard i < analytic.count, let g = analytic[i] else {
        mismatches.append(Mismatch(input: i, index: -1, analytic: .nan, numeric: .nan))
        continue
      }
      let gv = try unbroadcastForCheck(g, to: x.shape).floatValues()
      for j in 0..<x.count {
        var plus = inputs
        var minus = inputs
        var xp = x
        var xm = x
        xp.withMutableElements(as: Float.self) { $0[j] += h }
        xm.withMutableElements(as: Float.self) { $0[j] -= h }
        plus[i] = xp
        minus[i] = xm
        let numeric = Float((try loss(plus) - loss(minus)) / Double(2 * h))
        if !(abs(gv[j] - numeric) <= atol + rtol * abs(numeric)) {
          mismatches.append(Mismatch(input: i, index: j, analytic: gv[j], numeric: numeric))
        }
      }
    }
    return mismatches
  }

  /// Sums a broadcast-shaped gradient back to `shape` (ops may return the output's shape).
  static func unbroadcastForCheck(_ g: Tensor, to shape: [Int]) throws -> Tensor {
    if g.shape == shape { return g }
    let gv = g.floatValues()
    var out = [Float](repeating: 0, count: Tensor.elementCount(shape))
    let strides = Broadcast.strides(of: shape, broadcastTo: g.shape)
    var index = [Int](repeating: 0, count: g.rank)
    for i in 0..<gv.count {
      var offset = 0
      for a in 0..<g.rank { offset += index[a] * strides[a] }
      out[offset] += gv[i]
      var a = g.rank - 1
      while a >= 0 {
        index[a] += 1
        if index[a] < g.shape[a] { break }
        index[a] = 0
        a -= 1
      }
    }
    return Tensor(out, shape: shape)
  }
}
