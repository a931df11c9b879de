import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// CumSum axis1 (opset 18); expected values from the ONNX reference implementation.
@Test func cumSumAxis1() throws {
  let y = try runOp1(
    "CumSum",
    [
      Tensor([1.27566659450531, 0.71236652135849, 0.5673134922981262, -0.3754850924015045, 0.2332938313484192, -0.41566935181617737] as [Float], shape: [2, 3]),
      Tensor([1] as [Int64], shape: [])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.27566659450531, 1.9880330562591553, 2.5553464889526367, -0.3754850924015045, -0.14219126105308533, -0.5578606128692627], shape: [2, 3], tolerance: 1e-5)
}

/// CumSum exclusive_reverse (opset 18); expected values from the ONNX reference implementation.
@Test func cumSumExclusiveReverse() throws {
  let y = try runOp1(
    "CumSum",
    [
      Tensor([0.9771690368652344, -0.47827938199043274, -0.1335153877735138, 1.0218284130096436, 0.014623194001615047] as [Float], shape: [5]),
      Tensor([0] as [Int32], shape: [])
    ], attributes: [.int("exclusive", 1), .int("reverse", 1)], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [0.42465683817863464, 0.9029362201690674, 1.0364515781402588, 0.014623194001615047, 0.0], shape: [5], tolerance: 1e-5)
}

/// CumSum int64_axis0 (opset 18); expected values from the ONNX reference implementation.
@Test func cumSumInt64Axis0() throws {
  let y = try runOp1(
    "CumSum",
    [
      Tensor([-5, -2, -4, 4, 3, -1] as [Int64], shape: [3, 2]),
      Tensor([0] as [Int64], shape: [])
    ], opset: 18)
  #expect(y.dtype == .int64)
  #expect(y.isIdentical(to: Tensor([-5, -2, -9, 2, -6, 1] as [Int64], shape: [3, 2])))
}
