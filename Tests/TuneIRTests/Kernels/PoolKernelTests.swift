import Testing
import TuneTensor

/// `PoolKernel.pool2D` against `poolNaive` on random 1-D/2-D shapes (exact for max, 1e-5 for
/// average and Lp).
@Suite struct PoolKernelTests {
  static let shapes: [PoolKernel.Shape] = [
    .init(window: WindowGeometry(imageSpatial: [7, 8], outputSpatial: [3, 4], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padsBegin: [0, 1]), padsEnd: [0, 1]),
    .init(window: WindowGeometry(imageSpatial: [6, 6], outputSpatial: [3, 3], kernel: [2, 2], strides: [2, 2], dilations: [2, 2], padsBegin: [1, 0]), padsEnd: [1, 2]),
    .init(window: WindowGeometry(imageSpatial: [5, 5], outputSpatial: [3, 3], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1]), padsEnd: [0, 0]),
    .init(window: WindowGeometry(imageSpatial: [9], outputSpatial: [5], kernel: [3], strides: [2], dilations: [1], padsBegin: [1]), padsEnd: [1]),
  ]

  @Test(arguments: shapes.indices)
  func pool2DMatchesNaive(_ index: Int) {
    let shape = Self.shapes[index]
    let planes = 6
    let x = randomFloats(planes * shape.window.imageCount, seed: UInt64(index))
    let count = planes * shape.window.outputCount
    for kind in [PoolKernel.Kind.max, .average(countIncludePad: false), .average(countIncludePad: true), .lp(p: 2)] {
      for columnMajor in [false, true] {
        var fast = [Float](repeating: .nan, count: count)
        var slow = fast
        var fastIndices = [Int64](repeating: -1, count: count)
        var slowIndices = fastIndices
        PoolKernel.pool2D(kind, shape: shape, planes: planes, input: x, output: &fast, indices: &fastIndices, columnMajorIndices: columnMajor)
        PoolKernel.poolNaive(kind, shape: shape, planes: planes, input: x, output: &slow, indices: &slowIndices, columnMajorIndices: columnMajor)
        let worst = zip(fast, slow).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5, "\(kind) shape \(index)")
        if kind == .max { #expect(fastIndices == slowIndices, "indices, shape \(index), columnMajor \(columnMajor)") }
      }
    }
  }

  /// Max pooling without indices (the separable path, eight whole windows at a time for strides
  /// 1 and 2) against the definition: exact, NaN included, on rows wide enough for the vector
  /// loop and its scalar edges (ResNet's 3x3 stride-2 pad-1 stem pooling among them).
  static let wideShapes: [PoolKernel.Shape] = [
    .init(window: WindowGeometry(imageSpatial: [32, 32], outputSpatial: [16, 16], kernel: [3, 3], strides: [2, 2], dilations: [1, 1], padsBegin: [1, 1]), padsEnd: [1, 1]),
    .init(window: WindowGeometry(imageSpatial: [9, 37], outputSpatial: [7, 35], kernel: [3, 3], strides: [1, 1], dilations: [1, 1], padsBegin: [0, 0]), padsEnd: [0, 0]),
    .init(window: WindowGeometry(imageSpatial: [6, 41], outputSpatial: [3, 21], kernel: [2, 4], strides: [2, 2], dilations: [1, 1], padsBegin: [0, 2]), padsEnd: [0, 1]),
    .init(window: WindowGeometry(imageSpatial: [5, 30], outputSpatial: [5, 28], kernel: [1, 5], strides: [1, 1], dilations: [1, 1], padsBegin: [0, 1]), padsEnd: [0, 1]),
    .init(window: WindowGeometry(imageSpatial: [8, 40], outputSpatial: [4, 18], kernel: [2, 3], strides: [2, 2], dilations: [1, 2], padsBegin: [0, 0]), padsEnd: [0, 0]),
  ]

  @Test(arguments: wideShapes.indices)
  func maxPoolWithoutIndicesMatchesNaive(_ index: Int) {
    let shape = Self.wideShapes[index]
    let planes = 3
    var x = randomFloats(planes * shape.window.imageCount, seed: UInt64(100 + index))
    x[0] = .nan  // read by the first window of every shape here
    x[x.count / 2 + 4] = .nan
    let count = planes * shape.window.outputCount
    var fast = [Float](repeating: 7, count: count)
    var slow = [Float](repeating: 7, count: count)
    PoolKernel.pool2D(.max, shape: shape, planes: planes, input: x, output: &fast)
    PoolKernel.poolNaive(.max, shape: shape, planes: planes, input: x, output: &slow)
    let same = zip(fast, slow).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    #expect(same, "shape \(index)")
    #expect(fast.contains { $0.isNaN }, "shape \(index): the NaNs did not reach the output")
  }
}
