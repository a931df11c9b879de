import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Swish alpha (opset 24); expected values from the ONNX reference implementation.
@Test func swishAlpha() throws {
  let y = try runOp1(
    "Swish",
    [
      Tensor([-1.7731674909591675, 0.9313045740127563, 1.2697197198867798, -0.2192257046699524, -1.7501842975616455, 0.7316530346870422] as [Float], shape: [2, 3])
    ], attributes: [.float("alpha", 1.5)], opset: 24)
  #expect(y.dtype == .float)
  expectClose(y, [-0.11594837158918381, 0.7466273903846741, 1.1051753759384155, -0.09175105392932892, -0.11818867921829224, 0.5485843420028687], shape: [2, 3], tolerance: 1e-5)
}
