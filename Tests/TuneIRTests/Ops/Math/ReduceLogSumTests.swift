import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// ReduceLogSum axes_input (opset 18); expected values from the ONNX reference implementation.
@Test func reduceLogSumAxesInput() throws {
  let y = try runOp1(
    "ReduceLogSum",
    [
      Tensor([1.8469661474227905, 1.23362135887146, 0.7259247899055481, 1.879621982574463, 0.3947475254535675, 1.0774860382080078, 0.27395275235176086, 1.9343127012252808, 1.1932145357131958, 1.6269664764404297, 0.6356526017189026, 1.6234135627746582, 1.4353997707366943, 1.3229948282241821, 1.9060693979263306, 0.9236335158348083, 0.8886680006980896, 1.4150301218032837, 1.6866050958633423, 0.736644446849823, 1.372348427772522, 0.4971710741519928, 1.148229956626892, 1.5614262819290161] as [Float], shape: [2, 3, 4]),
      Tensor([1] as [Int64], shape: [1])
    ], opset: 18)
  #expect(y.dtype == .float)
  expectClose(y, [1.2339961528778076, 1.3706917762756348, 0.4919670820236206, 1.6932915449142456, 1.307363748550415, 1.1740895509719849, 1.5562279224395752, 1.1699104309082031], shape: [2, 1, 4], tolerance: 1e-5)
}

/// ReduceLogSum axes_attribute_opset13 (opset 13); expected values from the ONNX reference implementation.
@Test func reduceLogSumAxesAttributeOpset13() throws {
  let y = try runOp1(
    "ReduceLogSum",
    [
      Tensor([0.22409841418266296, 1.4828999042510986, 0.12932170927524567, 1.9208650588989258, 0.9904726147651672, 0.8772346377372742] as [Float], shape: [2, 3])
    ], attributes: [.ints("axes", [0]), .int("keepdims", 0)], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [0.76312255859375, 0.90558260679245, 0.0065349917858839035], shape: [3], tolerance: 1e-5)
}
