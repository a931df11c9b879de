import Testing
import TuneIR
import TuneTensor

/// The separable `ResizeKernel.resize` against `resizeNaive` (the full tensor-product sum) on
/// random shapes and every interpolation mode (1e-5).
@Suite struct ResizeKernelTests {
  @Test(arguments: ["nearest", "linear", "cubic"])
  func separableMatchesNaive(mode: String) throws {
    let shape = [2, 3, 5, 4]
    let x = randomFloats(shape.reduce(1, *), seed: 3)
    let tables: [ResizeKernel.AxisTable?] = [
      nil,
      try Resize.table(inputSize: 3, outputSize: 3, scale: 1, mode: mode, coordinateMode: "tf_crop_and_resize", nearestMode: "floor", roi: (-0.3, 0.9)),
      try Resize.table(inputSize: 5, outputSize: 8, scale: 1.6, mode: mode, coordinateMode: "half_pixel", nearestMode: "round_prefer_ceil"),
      try Resize.table(inputSize: 4, outputSize: 3, scale: 0.75, mode: mode, coordinateMode: "align_corners", nearestMode: "round_prefer_floor", antialias: mode != "nearest"),
    ]
    let fast = ResizeKernel.resize(x, shape: shape, tables: tables, extrapolationValue: 7)
    let slow = ResizeKernel.resizeNaive(x, shape: shape, tables: tables, extrapolationValue: 7)
    #expect(fast.shape == [2, 3, 8, 3])
    #expect(fast.shape == slow.shape)
    let worst = zip(fast.values, slow.values).map { abs($0 - $1) }.max() ?? 0
    #expect(worst <= 1e-5)
  }
}
