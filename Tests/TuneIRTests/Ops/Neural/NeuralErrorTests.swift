import Testing
import TuneIR
import TuneTensor

/// Bad attributes and shapes a model file can carry must throw `OpError`, never trap.
@Suite struct NeuralErrorTests {
  let x4 = Tensor(zeros: .float, shape: [1, 2, 4, 4])

  @Test func gemmInnerDimensionMismatch() {
    #expect(throws: OpError.self) {
      try runOp("Gemm", [Tensor(zeros: .float, shape: [2, 3]), Tensor(zeros: .float, shape: [4, 2])])
    }
  }

  @Test func gemmBiasDoesNotBroadcast() {
    #expect(throws: OpError.self) {
      try runOp("Gemm", [Tensor(zeros: .float, shape: [2, 3]), Tensor(zeros: .float, shape: [3, 4]), Tensor(zeros: .float, shape: [3])])
    }
  }

  @Test func matMulBatchMismatch() {
    #expect(throws: OpError.self) {
      try runOp("MatMul", [Tensor(zeros: .float, shape: [2, 2, 3]), Tensor(zeros: .float, shape: [3, 3, 2])])
    }
  }

  @Test func convChannelMismatchAndBadGroup() {
    #expect(throws: OpError.self) { try runOp("Conv", [x4, Tensor(zeros: .float, shape: [3, 3, 3, 3])]) }
    #expect(throws: OpError.self) {
      try runOp("Conv", attributes: [.int("group", 3)], [x4, Tensor(zeros: .float, shape: [3, 1, 3, 3])])
    }
    #expect(throws: OpError.self) {
      try runOp("Conv", attributes: [.ints("strides", [0, 1])], [x4, Tensor(zeros: .float, shape: [3, 2, 3, 3])])
    }
    #expect(throws: OpError.self) { try runOp("Conv", [x4, Tensor(zeros: .float, shape: [3, 2, 5, 5])]) }
  }

  @Test func poolNeedsKernelShapeAndValidPads() {
    #expect(throws: OpError.self) { try runOp("MaxPool", [x4]) }
    #expect(throws: OpError.self) {
      try runOp("AveragePool", attributes: [.ints("kernel_shape", [2, 2]), .ints("pads", [1, 1])], [x4])
    }
  }

  @Test func normalizationParameterShapes() {
    let c3 = Tensor(zeros: .float, shape: [3])
    #expect(throws: OpError.self) { try runOp("BatchNormalization", [x4, c3, c3, c3, c3]) }
    #expect(throws: OpError.self) { try runOp("InstanceNormalization", [x4, c3, c3]) }
    #expect(throws: OpError.self) { try runOp("LayerNormalization", attributes: [.int("axis", 4)], [x4, c3]) }
  }

  @Test func resizeRejectsBadScales() {
    #expect(throws: OpError.self) {
      try runOp("Resize", opset: 13, [x4, nil, Tensor([1, 1, Float.infinity, 1] as [Float], shape: [4])])
    }
    #expect(throws: OpError.self) { try runOp("Resize", opset: 13, [x4, nil, Tensor([1, 1] as [Float], shape: [2])]) }
  }

  @Test func einsumAndTopK() {
    #expect(throws: OpError.self) {
      try runOp("Einsum", attributes: [.string("equation", "ij,jk->ik")], [Tensor(zeros: .float, shape: [2, 3]), Tensor(zeros: .float, shape: [4, 2])])
    }
    #expect(throws: OpError.self) {
      try runOp("Einsum", attributes: [.string("equation", "i1->i")], [Tensor(zeros: .float, shape: [2, 3])])
    }
    #expect(throws: OpError.self) {
      try runOp("TopK", opset: 11, [Tensor(zeros: .float, shape: [2, 3]), Tensor([4] as [Int64], shape: [1])])
    }
  }
}
