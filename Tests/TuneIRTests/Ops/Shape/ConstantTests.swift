import Testing
import TuneIR
import TuneTensor

/// `Constant` in each of its attribute forms (values written by hand; the op only copies them).
@Suite struct ConstantTests {
  func value(_ attributes: [Attribute]) throws -> Tensor {
    try ShapeOpHarness.run(Constant.self, opset: 13, attributes: attributes, inputs: [])[0]
  }

  @Test func tensorValue() throws {
    let t = Tensor([1, 2, 3, 4, 5, 6] as [Int32], shape: [2, 3])
    ShapeOpHarness.expectClose(
      try value([ShapeOpHarness.tensorAttribute("value", t)]), t, rtol: 0, atol: 0)
  }

  @Test func scalarAndListForms() throws {
    ShapeOpHarness.expectClose(try value([.float("value_float", 2.5)]), Tensor(scalar: Float(2.5)))
    ShapeOpHarness.expectClose(
      try value([.floats("value_floats", [1, -2])]), Tensor([1, -2] as [Float], shape: [2]))
    ShapeOpHarness.expectClose(try value([.int("value_int", -7)]), Tensor(scalar: Int64(-7)))
    ShapeOpHarness.expectClose(
      try value([.ints("value_ints", [3, 4, 5])]), Tensor([3, 4, 5] as [Int64], shape: [3]))
    ShapeOpHarness.expectClose(
      try value([.ints("value_ints", [])]), Tensor([] as [Int64], shape: [0]))
  }

  @Test func stringForms() throws {
    ShapeOpHarness.expectClose(
      try value([.string("value_string", "héllo")]), ShapeOpHarness.strings(["héllo"], shape: []))
    var a = Attribute(name: "value_strings")
    a.type = Attribute.Kind.strings.rawValue
    a.strings = [Array("a".utf8), Array("bc".utf8)]
    ShapeOpHarness.expectClose(try value([a]), ShapeOpHarness.strings(["a", "bc"], shape: [2]))
  }

  @Test func sparseValueWithFlatAndCoordinateIndices() throws {
    let values = TensorProto(name: nil, data: Tensor([5, 7] as [Float], shape: [2]))
    var flat = Attribute(name: "sparse_value")
    flat.type = Attribute.Kind.sparseTensor.rawValue
    flat.sparseTensor = SparseTensor(
      values: values, indices: TensorProto(name: nil, data: Tensor([1, 4] as [Int64], shape: [2])),
      dims: [2, 3])
    ShapeOpHarness.expectClose(
      try value([flat]), Tensor([0, 5, 0, 0, 7, 0] as [Float], shape: [2, 3]))
    var coords = flat
    coords.sparseTensor?.indices = TensorProto(
      name: nil, data: Tensor([0, 2, 1, 0] as [Int64], shape: [2, 2]))
    ShapeOpHarness.expectClose(
      try value([coords]), Tensor([0, 0, 5, 7, 0, 0] as [Float], shape: [2, 3]))
    var bad = flat
    bad.sparseTensor?.indices = TensorProto(name: nil, data: Tensor([1, 6] as [Int64], shape: [2]))
    ShapeOpHarness.expectOpError(Constant.self, opset: 13, attributes: [bad], inputs: [])
  }
}
