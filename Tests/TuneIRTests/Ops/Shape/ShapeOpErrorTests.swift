import Testing
import TuneIR
import TuneTensor

/// Bad indices, shapes and attributes must throw `OpError`, never crash.
@Suite struct ShapeOpErrorTests {
  let x34 = Tensor((0..<12).map { Float($0) }, shape: [3, 4])
  func i64(_ v: [Int64]) -> Tensor { Tensor(v, shape: [v.count]) }

  @Test func gatherRejectsOutOfRangeIndices() {
    ShapeOpHarness.expectOpError(Gather.self, opset: 13, inputs: [x34, i64([3])])
    ShapeOpHarness.expectOpError(Gather.self, opset: 13, inputs: [x34, i64([-4])])
    ShapeOpHarness.expectOpError(
      Gather.self, opset: 13, attributes: [.int("axis", 1)],
      inputs: [x34, Tensor([Int32(4)], shape: [1])])
    ShapeOpHarness.expectOpError(
      Gather.self, opset: 13, attributes: [.int("axis", 2)], inputs: [x34, i64([0])])
    ShapeOpHarness.expectOpError(
      Gather.self, opset: 13, inputs: [x34, Tensor([Float(0)], shape: [1])])
  }

  @Test func gatherAcceptsNegativeIndicesInRange() throws {
    let y = try ShapeOpHarness.run(Gather.self, opset: 13, inputs: [x34, i64([-3, -1])])
    ShapeOpHarness.expectClose(y[0], Tensor([0, 1, 2, 3, 8, 9, 10, 11] as [Float], shape: [2, 4]))
  }

  @Test func elementAndNDGathersRejectOutOfRangeIndices() {
    let idx = Tensor([0, 1, 2, 4] as [Int64], shape: [1, 4])
    ShapeOpHarness.expectOpError(
      GatherElements.self, opset: 13,
      inputs: [x34, Tensor([0, 1, 2, -5] as [Int64], shape: [1, 4])])
    ShapeOpHarness.expectOpError(
      GatherElements.self, opset: 13, attributes: [.int("axis", 1)], inputs: [x34, idx])
    ShapeOpHarness.expectOpError(GatherElements.self, opset: 13, inputs: [x34, i64([0])])
    ShapeOpHarness.expectOpError(
      GatherND.self, opset: 13, inputs: [x34, Tensor([2, 4] as [Int64], shape: [1, 2])])
    ShapeOpHarness.expectOpError(
      GatherND.self, opset: 13, inputs: [x34, Tensor([-4] as [Int64], shape: [1, 1])])
    ShapeOpHarness.expectOpError(
      GatherND.self, opset: 13, inputs: [x34, Tensor([0, 0, 0] as [Int64], shape: [1, 3])])
  }

  @Test func scattersRejectOutOfRangeIndices() {
    let upd = Tensor([1, 1, 1, 1] as [Float], shape: [1, 4])
    ShapeOpHarness.expectOpError(
      ScatterElements.self, opset: 18,
      inputs: [x34, Tensor([0, 1, 3, 0] as [Int64], shape: [1, 4]), upd])
    ShapeOpHarness.expectOpError(
      ScatterElements.self, opset: 18,
      inputs: [x34, Tensor([0, 1, -4, 0] as [Int64], shape: [1, 4]), upd])
    ShapeOpHarness.expectOpError(
      ScatterElements.self, opset: 18, attributes: [.string("reduction", "avg")],
      inputs: [x34, Tensor([0, 1, 2, 0] as [Int64], shape: [1, 4]), upd])
    ShapeOpHarness.expectOpError(
      ScatterND.self, opset: 18, inputs: [x34, Tensor([3] as [Int64], shape: [1, 1]), upd])
    ShapeOpHarness.expectOpError(
      ScatterND.self, opset: 18, inputs: [x34, Tensor([-4] as [Int64], shape: [1, 1]), upd])
    ShapeOpHarness.expectOpError(
      ScatterND.self, opset: 18,
      inputs: [x34, Tensor([0] as [Int64], shape: [1, 1]), i64([1, 2])])
  }

  @Test func reshapeRejectsBadShapes() {
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([5, -1])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([-1, -1])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([2, 2])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([-2, -6])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([3, 4, 0])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34, i64([Int64.max, 2])])
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x34])
  }

  @Test func axisAndPermutationErrors() {
    ShapeOpHarness.expectOpError(
      Transpose.self, opset: 13, attributes: [.ints("perm", [0, 0])], inputs: [x34])
    ShapeOpHarness.expectOpError(
      Transpose.self, opset: 13, attributes: [.ints("perm", [0, 1, 2])], inputs: [x34])
    ShapeOpHarness.expectOpError(Squeeze.self, opset: 13, inputs: [x34, i64([0])])
    ShapeOpHarness.expectOpError(
      Squeeze.self, opset: 11, attributes: [.ints("axes", [5])], inputs: [x34])
    ShapeOpHarness.expectOpError(Unsqueeze.self, opset: 13, inputs: [x34, i64([0, 0])])
    ShapeOpHarness.expectOpError(Unsqueeze.self, opset: 13, inputs: [x34, i64([3])])
    ShapeOpHarness.expectOpError(Unsqueeze.self, opset: 11, inputs: [x34])
    ShapeOpHarness.expectOpError(
      Flatten.self, opset: 13, attributes: [.int("axis", 3)], inputs: [x34])
    ShapeOpHarness.expectOpError(
      Concat.self, opset: 13, attributes: [.int("axis", 2)], inputs: [x34, x34])
    ShapeOpHarness.expectOpError(Concat.self, opset: 13, inputs: [x34, x34])
  }

  @Test func concatRejectsMismatchedInputs() {
    let x35 = Tensor(zeros: .float, shape: [3, 5])
    ShapeOpHarness.expectOpError(
      Concat.self, opset: 13, attributes: [.int("axis", 0)], inputs: [x34, x35])
    ShapeOpHarness.expectOpError(
      Concat.self, opset: 13, attributes: [.int("axis", 0)],
      inputs: [x34, Tensor(zeros: .int64, shape: [1, 4])])
    ShapeOpHarness.expectOpError(
      Concat.self, opset: 13, attributes: [.int("axis", 0)], inputs: [x34, i64([1])])
  }

  @Test func splitAndSliceErrors() {
    ShapeOpHarness.expectOpError(
      Split.self, opset: 13, inputs: [x34, i64([1, 1])], outputCount: 2)
    ShapeOpHarness.expectOpError(
      Split.self, opset: 13, attributes: [.int("axis", 1)], inputs: [x34], outputCount: 3)
    ShapeOpHarness.expectOpError(
      Split.self, opset: 13, inputs: [x34, i64([4, -1])], outputCount: 2)
    ShapeOpHarness.expectOpError(
      Slice.self, opset: 13, inputs: [x34, i64([0]), i64([2]), i64([0]), i64([0])])
    ShapeOpHarness.expectOpError(
      Slice.self, opset: 13, inputs: [x34, i64([0]), i64([2]), i64([2])])
    ShapeOpHarness.expectOpError(Slice.self, opset: 13, inputs: [x34, i64([0, 0]), i64([2])])
    ShapeOpHarness.expectOpError(
      Slice.self, opset: 1, attributes: [.ints("ends", [1])], inputs: [x34])
  }

  @Test func sliceWithExtremeStepsDoesNotOverflow() throws {
    let y = try ShapeOpHarness.run(
      Slice.self, opset: 13,
      inputs: [x34, i64([Int64.max]), i64([Int64.min]), i64([1]), i64([Int64.min])])
    ShapeOpHarness.expectClose(y[0], Tensor([3, 7, 11] as [Float], shape: [3, 1]))
    let z = try ShapeOpHarness.run(
      Slice.self, opset: 13,
      inputs: [x34, i64([Int64.min]), i64([Int64.max]), i64([0]), i64([Int64.max])])
    ShapeOpHarness.expectClose(z[0], Tensor([0, 1, 2, 3] as [Float], shape: [1, 4]))
  }

  @Test func expandTilePadErrors() {
    ShapeOpHarness.expectOpError(Expand.self, opset: 13, inputs: [x34, i64([2, 4, 3])])
    ShapeOpHarness.expectOpError(Expand.self, opset: 13, inputs: [x34, i64([-1, 4])])
    ShapeOpHarness.expectOpError(Tile.self, opset: 13, inputs: [x34, i64([2])])
    ShapeOpHarness.expectOpError(Tile.self, opset: 13, inputs: [x34, i64([2, -1])])
    ShapeOpHarness.expectOpError(Tile.self, opset: 13, inputs: [x34, i64([1 << 40, 1 << 40])])
    ShapeOpHarness.expectOpError(Pad.self, opset: 13, inputs: [x34, i64([1, 1])])
    ShapeOpHarness.expectOpError(Pad.self, opset: 13, inputs: [x34, i64([0, -5, 0, 0])])
    ShapeOpHarness.expectOpError(
      Pad.self, opset: 13, attributes: [.string("mode", "reflect")],
      inputs: [Tensor(zeros: .float, shape: [0, 2]), i64([1, 0, 1, 0])])
    ShapeOpHarness.expectOpError(
      Pad.self, opset: 18, attributes: [.string("mode", "wrap")], inputs: [x34, i64([1, 1, 1, 1])])
    ShapeOpHarness.expectOpError(
      Pad.self, opset: 13, attributes: [.string("mode", "mirror")],
      inputs: [x34, i64([1, 1, 1, 1])])
    ShapeOpHarness.expectOpError(
      Pad.self, opset: 13, inputs: [x34, i64([1, 1, 1, 1]), Tensor(scalar: Int64(1))])
  }

  @Test func constantOfShapeRangeOneHotDepthErrors() {
    ShapeOpHarness.expectOpError(ConstantOfShape.self, opset: 20, inputs: [i64([2, -3])])
    ShapeOpHarness.expectOpError(
      ConstantOfShape.self, opset: 20,
      attributes: [ShapeOpHarness.tensorAttribute("value", i64([1, 2]))],
      inputs: [i64([2])])
    ShapeOpHarness.expectOpError(
      Range.self, opset: 11,
      inputs: [Tensor(scalar: Int64(0)), Tensor(scalar: Int64(5)), Tensor(scalar: Int64(0))])
    ShapeOpHarness.expectOpError(
      Range.self, opset: 11,
      inputs: [Tensor(scalar: Float(0)), Tensor(scalar: Float.infinity), Tensor(scalar: Float(1))])
    ShapeOpHarness.expectOpError(
      Range.self, opset: 11,
      inputs: [Tensor(scalar: Float(0)), Tensor(scalar: Int64(5)), Tensor(scalar: Float(1))])
    ShapeOpHarness.expectOpError(
      OneHot.self, opset: 11,
      inputs: [i64([1]), Tensor(scalar: Int64(0)), Tensor([0, 1] as [Float], shape: [2])])
    ShapeOpHarness.expectOpError(
      OneHot.self, opset: 11, attributes: [.int("axis", 3)],
      inputs: [i64([1]), Tensor(scalar: Int64(3)), Tensor([0, 1] as [Float], shape: [2])])
    ShapeOpHarness.expectOpError(
      DepthToSpace.self, opset: 13, attributes: [.int("blocksize", 2)],
      inputs: [Tensor(zeros: .float, shape: [1, 3, 2, 2])])
    ShapeOpHarness.expectOpError(
      DepthToSpace.self, opset: 13, inputs: [Tensor(zeros: .float, shape: [1, 4, 2, 2])])
    ShapeOpHarness.expectOpError(
      SpaceToDepth.self, opset: 13, attributes: [.int("blocksize", 2)],
      inputs: [Tensor(zeros: .float, shape: [1, 1, 3, 2])])
    ShapeOpHarness.expectOpError(Trilu.self, opset: 14, inputs: [i64([1, 2])])
  }

  @Test func packedSubByteTypesThrowInsteadOfCrashing() {
    let int4 = Tensor(zeros: .int4, shape: [2, 3])
    ShapeOpHarness.expectOpError(Transpose.self, opset: 21, inputs: [int4])
    ShapeOpHarness.expectOpError(Gather.self, opset: 13, inputs: [int4, i64([0])])
    ShapeOpHarness.expectOpError(
      Concat.self, opset: 13, attributes: [.int("axis", 0)], inputs: [int4, int4])
  }

  @Test func packedSubByteTypesStillReshape() throws {
    let int4 = Tensor(zeros: .int4, shape: [2, 3])
    let y = try ShapeOpHarness.run(Reshape.self, opset: 21, inputs: [int4, i64([3, 2])])
    #expect(y[0].shape == [3, 2] && y[0].dtype == .int4)
  }

  @Test func constantNeedsExactlyOneValue() {
    ShapeOpHarness.expectOpError(Constant.self, opset: 13, inputs: [])
    ShapeOpHarness.expectOpError(
      Constant.self, opset: 13, attributes: [.float("value_float", 1), .int("value_int", 1)],
      inputs: [])
  }
}

/// Values a hostile file can hold (sizes near Int64.max) must throw, not trap on overflow.
@Suite struct ShapeOpOverflowTests {
  func i64(_ v: [Int64]) -> Tensor { Tensor(v, shape: [v.count]) }
  let x = Tensor(zeros: .float, shape: [2, 4])

  @Test func hugeSizesThrow() {
    ShapeOpHarness.expectOpError(Reshape.self, opset: 13, inputs: [x, i64([-1, Int64.max, 2])])
    ShapeOpHarness.expectOpError(Tile.self, opset: 13, inputs: [x, i64([Int64.max, 2])])
    ShapeOpHarness.expectOpError(Pad.self, opset: 13, inputs: [x, i64([Int64.max, 0, 5, 0])])
    ShapeOpHarness.expectOpError(Expand.self, opset: 13, inputs: [x, i64([1 << 40, 2, 4])])
    ShapeOpHarness.expectOpError(ConstantOfShape.self, opset: 20, inputs: [i64([1 << 62, 4])])
    ShapeOpHarness.expectOpError(
      Range.self, opset: 11,
      inputs: [Tensor(scalar: Int64.min), Tensor(scalar: Int64.max), Tensor(scalar: Int64(1))])
    ShapeOpHarness.expectOpError(
      DepthToSpace.self, opset: 13, attributes: [.int("blocksize", 1 << 33)],
      inputs: [Tensor(zeros: .float, shape: [1, 4, 1, 1])])
    ShapeOpHarness.expectOpError(
      Split.self, opset: 18, attributes: [.int("num_outputs", 1 << 60)], inputs: [x], outputCount: 2
    )
  }

  @Test func integerScatterReductionsWrap() throws {
    let y = try ShapeOpHarness.run(
      ScatterElements.self, opset: 18, attributes: [.string("reduction", "mul")],
      inputs: [
        Tensor([Int64.max, 3] as [Int64], shape: [2]), i64([0, 0]),
        Tensor([2, 2] as [Int64], shape: [2]),
      ])
    #expect(y[0].elements(as: Int64.self) == [Int64.max &* 4, 3])
  }
}

/// Forms of the earliest opsets (values worked out by hand from the opset-1 specs).
@Suite struct ShapeOpEarlyOpsetTests {
  let x = Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])

  @Test func tileOpset1RepeatsOneAxis() throws {
    let y = try ShapeOpHarness.run(
      Tile.self, opset: 1, inputs: [x, Tensor(scalar: Int64(2)), Tensor(scalar: Int64(1))])
    ShapeOpHarness.expectClose(
      y[0], Tensor([1, 2, 3, 1, 2, 3, 4, 5, 6, 4, 5, 6] as [Float], shape: [2, 6]))
  }

  @Test func splitOpset1TakesSplitAsInputOrAttribute() throws {
    let a = try ShapeOpHarness.run(
      Split.self, opset: 1, attributes: [.int("axis", 1)],
      inputs: [x, Tensor([1, 2] as [Int64], shape: [2])],
      outputCount: 2)
    ShapeOpHarness.expectClose(a[1], Tensor([2, 3, 5, 6] as [Float], shape: [2, 2]))
    let b = try ShapeOpHarness.run(
      Split.self, opset: 1, attributes: [.int("axis", 1), .ints("split", [2, 1])], inputs: [x],
      outputCount: 2)
    ShapeOpHarness.expectClose(b[0], Tensor([1, 2, 4, 5] as [Float], shape: [2, 2]))
  }

  @Test func reshapeOpset1ShapeAttributeAndPadOpset1Paddings() throws {
    let r = try ShapeOpHarness.run(
      Reshape.self, opset: 1, attributes: [.ints("shape", [3, -1])], inputs: [x])
    #expect(r[0].shape == [3, 2])
    let p = try ShapeOpHarness.run(
      Pad.self, opset: 1, attributes: [.ints("paddings", [0, 1, 0, 0]), .float("value", 9)],
      inputs: [x])
    ShapeOpHarness.expectClose(p[0], Tensor([9, 1, 2, 3, 9, 4, 5, 6] as [Float], shape: [2, 4]))
  }
}
