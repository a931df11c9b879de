import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Sub broadcast_column (opset 18); expected values from the ONNX reference implementation.
@Test func subBroadcastColumn() throws {
  let y = try runOp1(
    "Sub",
    [
      Tensor([-1.009940266609192, -1.9528238773345947, -1.2303913831710815, 0.7681284546852112, -1.1975730657577515, -0.5218547582626343, -1.985063076019287, 1.3201909065246582, -1.3821556568145752, -0.9296028017997742, 1.5213285684585571, 0.03916323930025101] as [Float], shape: [3, 4]),
      Tensor([1.3886009454727173, 0.5588686466217041, 0.9670838117599487] as [Float], shape: [3, 1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [-2.398541212081909, -3.3414249420166016, -2.618992328643799, -0.6204724907875061, -1.7564417123794556, -1.0807234048843384, -2.543931722640991, 0.7613222599029541, -2.3492393493652344, -1.8966865539550781, 0.5542447566986084, -0.9279205799102783], shape: [3, 4], tolerance: 1e-5)
}

/// Sub int32 (opset 18); expected values from the ONNX reference implementation.
@Test func subInt32() throws {
  let y = try runOp1(
    "Sub",
    [
      Tensor([0, -4, -3, 0, 2, 0] as [Int32], shape: [2, 3]),
      Tensor([1, 4, 2, -2, 2, 1] as [Int32], shape: [2, 3])
    ], opset: 18)
  #expect(y.dtype == .int32)
  #expect(y.isIdentical(to: Tensor([-1, -8, -5, 2, 0, -1] as [Int32], shape: [2, 3])))
}
