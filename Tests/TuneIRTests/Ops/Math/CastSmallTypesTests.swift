import Testing
import TuneIR
import TuneTensor

// Casts to the float8 / float4 / e8m0 / 4- and 2-bit types and back; expected values from
// ml_dtypes and onnx.numpy_helper (onnx 1.22.0), as the ONNX reference Cast computes them.

private let source = Tensor([0.47, 1.0e6, -1e-7, 3.3, -300.0, .infinity] as [Float], shape: [6])

private func roundTrip(_ x: Tensor, _ to: DType, attributes: [Attribute] = []) throws -> Tensor {
  let small = try runOp1("Cast", [x], attributes: [.int("to", Int64(to.rawValue))] + attributes, opset: 25)
  #expect(small.dtype == to)
  return try runOp1("Cast", [small], attributes: [.int("to", 1)], opset: 25)
}

@Test(arguments: [
  (DType.float8e4m3fn, [0.46875, 448, -0.0, 3.25, -288, 448] as [Float],
   [0.46875, .nan, -0.0, 3.25, -288, .nan] as [Float]),
  (.float8e4m3fnuz, [0.46875, 240, 0, 3.25, -240, 240], [0.46875, .nan, 0, 3.25, .nan, .nan]),
  (.float8e5m2, [0.5, 57344, -0.0, 3.5, -320, 57344], [0.5, .infinity, -0.0, 3.5, -320, .infinity]),
  (.float8e5m2fnuz, [0.5, 57344, 0, 3.5, -320, 57344], [0.5, .nan, 0, 3.5, -320, .nan]),
])
func castFloat8SaturatesOrOverflows(_ dtype: DType, _ saturated: [Float], _ unsaturated: [Float]) throws {
  expectClose(try roundTrip(source, dtype), saturated, shape: [6], tolerance: 0)
  expectClose(
    try roundTrip(source, dtype, attributes: [.int("saturate", 0)]), unsaturated, shape: [6], tolerance: 0)
}

@Test func castFloat4E2M1RoundsHalfToEvenAndSaturates() throws {
  let x = Tensor([0.25, 0.75, 1.25, 2.5, -3.5, 5.0, 7.0, -100] as [Float], shape: [8])
  expectClose(try roundTrip(x, .float4e2m1), [0, 1, 1, 2, -4, 4, 6, -6], shape: [8], tolerance: 0)
}

@Test func castFloat8E8M0RoundModes() throws {
  let x = Tensor([0.124, 1.1, 3.0, 0.75] as [Float], shape: [4])
  expectClose(
    try roundTrip(x, .float8e8m0, attributes: [.string("round_mode", "nearest")]), [0.125, 1, 4, 1],
    shape: [4], tolerance: 0)
  expectClose(try roundTrip(x, .float8e8m0), [0.125, 2, 4, 1], shape: [4], tolerance: 0)
  expectClose(
    try roundTrip(x, .float8e8m0, attributes: [.string("round_mode", "down")]), [0.0625, 1, 2, 0.5],
    shape: [4], tolerance: 0)
}

/// Out-of-range values wrap modulo 2^bits, as in the ONNX backend case test_cast_FLOAT_to_INT4
/// (-9 gives 7, 8 gives -8); ml_dtypes itself would give 0.
@Test func castPackedIntegersWrap() throws {
  let x = Tensor([-9, -8, -1, 0, 7, 8, 9] as [Float], shape: [7])
  // Packed two per byte, low nibble first.
  let int4 = try runOp1("Cast", [x], attributes: [.int("to", Int64(DType.int4.rawValue))], opset: 25)
  #expect(int4.byteCount == 4)
  expectClose(try roundTrip(x, .int4), [7, -8, -1, 0, 7, -8, -7], shape: [7], tolerance: 0)
  expectClose(try roundTrip(x, .uint4), [7, 8, 15, 0, 7, 8, 9], shape: [7], tolerance: 0)
  expectClose(try roundTrip(x, .int2), [-1, 0, -1, 0, -1, 0, 1], shape: [7], tolerance: 0)
  expectClose(try roundTrip(x, .uint2), [3, 0, 3, 0, 3, 0, 1], shape: [7], tolerance: 0)
  let int8 = try runOp1("Cast", [int4], attributes: [.int("to", Int64(DType.int8.rawValue))], opset: 25)
  #expect(int8.elements(as: Int8.self) == [7, -8, -1, 0, 7, -8, -7])
}
