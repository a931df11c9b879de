import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// Clip inputs (opset 13); expected values from the ONNX reference implementation.
@Test func clipInputs() throws {
  let y = try runOp1(
    "Clip",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4]),
      Tensor([-1.0] as [Float], shape: []),
      Tensor([1.5] as [Float], shape: [])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [-0.3223617970943451, 1.5, -1.0, 1.5, -1.0, 1.5, -1.0, -0.15958447754383087], shape: [2, 4], tolerance: 1e-5)
}

/// Clip max_only (opset 13); expected values from the ONNX reference implementation.
@Test func clipMaxOnly() throws {
  let y = try runOp1(
    "Clip",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4]),
      nil,
      Tensor([0.5] as [Float], shape: [])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [-0.3223617970943451, 0.5, -1.856656551361084, 0.5, -1.6968308687210083, 0.5, -2.59437894821167, -0.15958447754383087], shape: [2, 4], tolerance: 1e-5)
}

/// Clip attributes (opset 6); expected values from the ONNX reference implementation.
@Test func clipAttributes() throws {
  let y = try runOp1(
    "Clip",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4])
    ], attributes: [.float("min", -0.5), .float("max", 0.5)], opset: 6)
  #expect(y.dtype == .float)
  expectClose(y, [-0.3223617970943451, 0.5, -0.5, 0.5, -0.5, 0.5, -0.5, -0.15958447754383087], shape: [2, 4], tolerance: 1e-5)
}

/// Clip int8 (opset 13); expected values from the ONNX reference implementation.
@Test func clipInt8() throws {
  let y = try runOp1(
    "Clip",
    [
      Tensor([-50, 83, 32, -51, -88, -22] as [Int8], shape: [6]),
      Tensor([-10] as [Int8], shape: []),
      Tensor([10] as [Int8], shape: [])
    ], opset: 13)
  #expect(y.dtype == .int8)
  #expect(y.isIdentical(to: Tensor([-10, 10, 10, -10, -10, -10] as [Int8], shape: [6])))
}

/// Clip min_greater_than_max (opset 13); expected values from the ONNX reference implementation.
@Test func clipMinGreaterThanMax() throws {
  let y = try runOp1(
    "Clip",
    [
      Tensor([-0.3223617970943451, 1.5023531913757324, -1.856656551361084, 2.4865665435791016, -1.6968308687210083, 1.6146659851074219, -2.59437894821167, -0.15958447754383087] as [Float], shape: [2, 4]),
      Tensor([2.0] as [Float], shape: []),
      Tensor([1.0] as [Float], shape: [])
    ], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], shape: [2, 4], tolerance: 1e-5)
}
