import Foundation
import Testing
import TuneIR
import TuneTensor

// The fast elementwise kernels against their naive index-arithmetic twins.

private func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
  var g = SeededRandom(seed: seed)
  return Tensor((0..<Tensor.elementCount(shape)).map { _ in g.nextFloat() * 4 - 2 }, shape: shape)
}

@Test(arguments: [
  ([2, 3, 4], [2, 3, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([2, 1, 4], [3, 1]),
  ([1], [2, 3]), ([5, 1, 1], [1, 4, 3]), ([], [3, 2]), ([3, 1, 5], [3, 4, 1]),
  ([4, 1, 3, 5], [1, 6, 1, 1]), ([2, 3, 4, 5], [3, 1, 1]), ([1, 1, 1], [1]), ([0, 3], [3]),
  ([2, 3, 4, 5], [2, 3, 1, 1]), ([2, 1, 4, 1], [2, 3, 4, 5]),
])
func zipMatchesNaive(_ a: [Int], _ b: [Int]) throws {
  let x = randomTensor(a, seed: 1)
  let y = randomTensor(b, seed: 2)
  let shape = try #require(Broadcast.shape(a, b))
  let fast = Elementwise.zip(x, y, as: Float.self, shape: shape) { $0 * 2 - $1 }
  let naive = Elementwise.zipNaive(x, y, as: Float.self, shape: shape) { $0 * 2 - $1 }
  #expect(fast.isIdentical(to: naive))
}

@Test(arguments: [
  [true, false, true], [false, true, false], [true, true, false], [false, false, false],
  [true, true, true],
])
func reduceMatchesNaive(_ mask: [Bool]) {
  let x = randomTensor([3, 4, 5], seed: 3)
  let y = randomTensor([2, 3, 4, 5], seed: 4)
  for m in [[false] + mask, mask + [true], mask + [false]] {
    let fast = Elementwise.reduce(y, as: Float.self, reduced: m, initial: 0) { a, e, _ in a + e }
    let naive = Elementwise.reduceNaive(y, as: Float.self, reduced: m, initial: 0) { $0 + $1 }
    for (f, n) in zip(fast.elements(as: Float.self), naive.elements(as: Float.self)) {
      #expect(abs(f - n) <= 1e-5 * (1 + abs(n)))
    }
  }
  let fast = Elementwise.reduce(x, as: Float.self, reduced: mask, initial: 0) { a, e, _ in a + e }
  let naive = Elementwise.reduceNaive(x, as: Float.self, reduced: mask, initial: 0) { $0 + $1 }
  #expect(fast.shape == naive.shape)
  for (f, n) in zip(fast.elements(as: Float.self), naive.elements(as: Float.self)) {
    #expect(abs(f - n) <= 1e-5 * (1 + abs(n)))
  }
}

@Test func selectBroadcastsAllThreeInputs() {
  let c = Tensor([true, false], shape: [2, 1])
  let x = Tensor([1, 2, 3] as [Int64], shape: [3])
  let y = Tensor([-1] as [Int64], shape: [])
  let out = Elementwise.select(c, x, y, shape: [2, 3])
  #expect(out.elements(as: Int64.self) == [1, 2, 3, -1, -1, -1])
  let z = randomTensor([2, 3, 4], seed: 5)
  let w = randomTensor([3, 1], seed: 6)
  let cond = Tensor([true, false, false, true], shape: [4])
  let picked = Elementwise.select(cond, z, w, shape: [2, 3, 4])
  for i in 0..<24 {
    let expected = i % 4 == 0 || i % 4 == 3
      ? z.elements(as: Float.self)[i] : w.elements(as: Float.self)[(i / 4) % 3]
    #expect(picked.elements(as: Float.self)[i] == expected)
  }
}

@Test func integerDivisionAndModuloByZeroGiveZero() throws {
  let a = Tensor([7, Int32.min] as [Int32], shape: [2])
  let b = Tensor([0, -1] as [Int32], shape: [2])
  #expect(try runOp1("Div", [a, b]).elements(as: Int32.self) == [0, Int32.min])
  #expect(try runOp1("Mod", [a, b]).elements(as: Int32.self) == [0, 0])
}

@Test func mismatchedShapesThrow() {
  #expect(throws: OpError.self) {
    try runOp1("Add", [Tensor([1, 2, 3] as [Float], shape: [3]), Tensor([1, 2] as [Float], shape: [2])])
  }
  #expect(throws: OpError.self) {
    try runOp1("Softmax", [Tensor([1, 2, 3] as [Float], shape: [3])], attributes: [.int("axis", 3)])
  }
  #expect(throws: OpError.self) {
    try runOp1("Cast", [Tensor([1] as [Float], shape: [1])], attributes: [.int("to", 8)])
  }
}

@Test func fastExpMatchesTheCLibrary() {
  var worst: Float = 0
  var x: Float = -87
  while x < 88.7 {
    let fast = Elementwise.exp(x)
    let libm = Foundation.exp(Double(x))
    worst = max(worst, Float(abs(Double(fast) - libm) / libm))
    x += 0.0137
  }
  #expect(worst < 3e-7, "worst relative error \(worst)")
  #expect(Elementwise.exp(0) == 1)
  #expect(Elementwise.exp(89) == .infinity)
  #expect(Elementwise.exp(-.infinity) == 0)
  #expect(Elementwise.exp(-100) == 0)
  #expect(Elementwise.exp(.nan).isNaN)
}
