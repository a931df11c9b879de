import Testing
import TuneIR
import TuneTensor

/// The fast strided copy (row memcpy, typed loops, blocked transposes) against its naive twin,
/// for every element size and for strings.
@Suite struct CopyKernelTests {
  static func randomTensor(_ dtype: DType, shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededRandom(seed: seed)
    if dtype == .string {
      let n = Tensor.elementCount(shape)
      return Tensor(
        strings: (0..<n).map { _ in Array(String(rng.next() % 1000).utf8) }, shape: shape)
    }
    let t = Tensor(zeros: dtype, shape: shape)
    for i in 0..<t.byteCount {
      t.buffer.pointer.storeBytes(
        of: UInt8(truncatingIfNeeded: rng.next()), toByteOffset: i, as: UInt8.self)
    }
    return t
  }

  static let dtypes: [DType] = [.uint8, .float16, .float, .int64, .complex128, .string]

  @Test(arguments: dtypes) func transposesMatchNaive(dtype: DType) {
    let cases: [([Int], [Int])] = [
      ([2, 3, 8, 9], [0, 2, 3, 1]), ([2, 9, 10, 3], [0, 3, 1, 2]), ([33, 70], [1, 0]),
      ([4, 1, 5, 6], [3, 1, 0, 2]), ([2, 3, 4, 5, 6], [4, 2, 0, 3, 1]), ([7], [0]), ([], []),
    ]
    for (k, (shape, perm)) in cases.enumerated() {
      let x = Self.randomTensor(dtype, shape: shape, seed: UInt64(k))
      let strides = CopyKernel.contiguousStrides(shape)
      let fast = CopyKernel.transpose(x, perm: perm)
      let naive = CopyKernel.stridedNaive(
        x, shape: perm.map { shape[$0] }, offset: 0, strides: perm.map { strides[$0] })
      #expect(fast.isIdentical(to: naive), "\(dtype) \(shape) perm \(perm)")
    }
  }

  @Test(arguments: dtypes) func negativeAndZeroStridesMatchNaive(dtype: DType) {
    let x = Self.randomTensor(dtype, shape: [6, 10], seed: 9)
    // Reversed rows, every other column backwards, and a broadcast axis.
    let views: [([Int], Int, [Int])] = [
      ([6, 10], 50, [-10, 1]), ([6, 5], 9, [10, -2]), ([3, 6, 10], 0, [0, 10, 1]),
      ([4, 3], 59, [-1, -20]),
    ]
    for (shape, offset, strides) in views {
      let fast = CopyKernel.strided(x, shape: shape, offset: offset, strides: strides)
      let naive = CopyKernel.stridedNaive(x, shape: shape, offset: offset, strides: strides)
      #expect(fast.isIdentical(to: naive), "\(dtype) \(shape) \(strides)")
    }
  }

  @Test func fillAndConcatKeepBytes() {
    let v = Tensor(scalar: Int64(-3))
    #expect(
      CopyKernel.filled(v, shape: [3, 5]).elements(as: Int64.self)
        == Array(repeating: -3, count: 15))
    let a = Tensor([1, 2] as [Int16], shape: [2, 1])
    let b = Tensor([3, 4, 5, 6] as [Int16], shape: [2, 2])
    #expect(CopyKernel.concat([a, b], axis: 1).elements(as: Int16.self) == [1, 3, 4, 2, 5, 6])
  }

  @Test func gatherBlocksFillsNegativeBlocksWithZeroOrFill() {
    let f = Tensor([1, 2, 3] as [Float], shape: [3])
    let zeroFilled = CopyKernel.gatherBlocks(
      f, blockSize: 1, sourceBlocks: [-1, 2, -1], shape: [3])
    #expect(zeroFilled.elements(as: Float.self) == [0, 3, 0])
    let d = Tensor([1, 2, 3, 4] as [Int64], shape: [2, 2])
    #expect(
      CopyKernel.gatherBlocks(d, blockSize: 2, sourceBlocks: [1, -1], shape: [2, 2]).elements(
        as: Int64.self) == [3, 4, 0, 0])
    let filled = CopyKernel.gatherBlocks(
      d, blockSize: 2, sourceBlocks: [-1, 0], shape: [2, 2], fill: Tensor(scalar: Int64(9)))
    #expect(filled.elements(as: Int64.self) == [9, 9, 1, 2])
  }

  @Test(arguments: dtypes) func placeCopiesIntoTheBox(dtype: DType) {
    let source = Self.randomTensor(dtype, shape: [2, 3, 4], seed: 21)
    var destination = Self.randomTensor(dtype, shape: [3, 5, 6], seed: 22)
    let before = destination
    CopyKernel.place(source, into: &destination, at: [1, 2, 1])
    let strides = CopyKernel.contiguousStrides([3, 5, 6])
    // Inside the box: the source; outside: unchanged (checked through strided views).
    let box = CopyKernel.strided(
      destination, shape: [2, 3, 4], offset: 1 * strides[0] + 2 * strides[1] + 1 * strides[2],
      strides: strides)
    #expect(box.isIdentical(to: source))
    let firstPlane = CopyKernel.strided(destination, shape: [1, 5, 6], offset: 0, strides: strides)
    #expect(
      firstPlane.isIdentical(
        to: CopyKernel.strided(before, shape: [1, 5, 6], offset: 0, strides: strides)))
  }
}
