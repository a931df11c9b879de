import COnnxProto
import TuneIR

// TypeProto, TensorShapeProto and ValueInfoProto: decode and encode side by side.

func decodeType(_ m: UnsafeMutablePointer<Onnx__TypeProto>) -> TypeProto {
  let t = m.pointee
  var value: TypeProto.Value?
  switch t.value_case {
  case ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE:
    if let s = t.tensor_type {
      value = .tensor(
        elemType: has(s.pointee.has_elem_type) ? s.pointee.elem_type : nil,
        shape: s.pointee.shape.map(decodeShape), unknownFields: decodeUnknownFields(s.pointee.base))
    }
  case ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE:
    if let s = t.sparse_tensor_type {
      value = .sparseTensor(
        elemType: has(s.pointee.has_elem_type) ? s.pointee.elem_type : nil,
        shape: s.pointee.shape.map(decodeShape), unknownFields: decodeUnknownFields(s.pointee.base))
    }
  case ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE:
    if let s = t.sequence_type {
      value = .sequence(
        elemType: s.pointee.elem_type.map(decodeType), unknownFields: decodeUnknownFields(s.pointee.base))
    }
  case ONNX__TYPE_PROTO__VALUE_MAP_TYPE:
    if let s = t.map_type {
      value = .map(
        keyType: has(s.pointee.has_key_type) ? s.pointee.key_type : nil,
        valueType: s.pointee.value_type.map(decodeType), unknownFields: decodeUnknownFields(s.pointee.base))
    }
  case ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE:
    if let s = t.optional_type {
      value = .optional(
        elemType: s.pointee.elem_type.map(decodeType), unknownFields: decodeUnknownFields(s.pointee.base))
    }
  default: break
  }
  return TypeProto(value: value, denotation: decodeString(t.denotation), unknownFields: decodeUnknownFields(t.base))
}

func makeType(_ type: TypeProto, _ arena: CArena) -> UnsafeMutablePointer<Onnx__TypeProto> {
  let m = arena.allocate(Onnx__TypeProto.self)
  onnx__type_proto__init(m)
  m.pointee.denotation = arena.string(type.denotation)
  switch type.value {
  case .tensor(let elemType, let shape, let unknown)?:
    let s = arena.allocate(Onnx__TypeProto__Tensor.self)
    onnx__type_proto__tensor__init(s)
    if let e = elemType { s.pointee.has_elem_type = 1; s.pointee.elem_type = e }
    s.pointee.shape = shape.map { makeShape($0, arena) }
    encodeUnknownFields(unknown, into: &s.pointee.base, arena)
    m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE
    m.pointee.tensor_type = s
  case .sparseTensor(let elemType, let shape, let unknown)?:
    let s = arena.allocate(Onnx__TypeProto__SparseTensor.self)
    onnx__type_proto__sparse_tensor__init(s)
    if let e = elemType { s.pointee.has_elem_type = 1; s.pointee.elem_type = e }
    s.pointee.shape = shape.map { makeShape($0, arena) }
    encodeUnknownFields(unknown, into: &s.pointee.base, arena)
    m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_SPARSE_TENSOR_TYPE
    m.pointee.sparse_tensor_type = s
  case .sequence(let elemType, let unknown)?:
    let s = arena.allocate(Onnx__TypeProto__Sequence.self)
    onnx__type_proto__sequence__init(s)
    s.pointee.elem_type = elemType.map { makeType($0, arena) }
    encodeUnknownFields(unknown, into: &s.pointee.base, arena)
    m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE
    m.pointee.sequence_type = s
  case .map(let keyType, let valueType, let unknown)?:
    let s = arena.allocate(Onnx__TypeProto__Map.self)
    onnx__type_proto__map__init(s)
    if let k = keyType { s.pointee.has_key_type = 1; s.pointee.key_type = k }
    s.pointee.value_type = valueType.map { makeType($0, arena) }
    encodeUnknownFields(unknown, into: &s.pointee.base, arena)
    m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_MAP_TYPE
    m.pointee.map_type = s
  case .optional(let elemType, let unknown)?:
    let s = arena.allocate(Onnx__TypeProto__Optional.self)
    onnx__type_proto__optional__init(s)
    s.pointee.elem_type = elemType.map { makeType($0, arena) }
    encodeUnknownFields(unknown, into: &s.pointee.base, arena)
    m.pointee.value_case = ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE
    m.pointee.optional_type = s
  case nil: break
  }
  encodeUnknownFields(type.unknownFields, into: &m.pointee.base, arena)
  return m
}

func decodeShape(_ m: UnsafeMutablePointer<Onnx__TensorShapeProto>) -> TensorShape {
  let dims = decodeMessages(m.pointee.n_dim, m.pointee.dim) { d -> TensorShape.Dim in
    let value: Dimension
    switch d.pointee.value_case {
    case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE: value = .value(d.pointee.dim_value)
    case ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM: value = .symbol(decodeString(d.pointee.dim_param) ?? "")
    default: value = .unknown
    }
    return TensorShape.Dim(
      value: value, denotation: decodeString(d.pointee.denotation), unknownFields: decodeUnknownFields(d.pointee.base))
  }
  return TensorShape(dim: dims, unknownFields: decodeUnknownFields(m.pointee.base))
}

func makeShape(_ shape: TensorShape, _ arena: CArena) -> UnsafeMutablePointer<Onnx__TensorShapeProto> {
  let m = arena.allocate(Onnx__TensorShapeProto.self)
  onnx__tensor_shape_proto__init(m)
  (m.pointee.n_dim, m.pointee.dim) = encodeMessages(shape.dim, arena) { dim in
    let d = arena.allocate(Onnx__TensorShapeProto__Dimension.self)
    onnx__tensor_shape_proto__dimension__init(d)
    d.pointee.denotation = arena.string(dim.denotation)
    switch dim.value {
    case .value(let v):
      d.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE
      d.pointee.dim_value = v
    case .symbol(let s):
      d.pointee.value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM
      d.pointee.dim_param = arena.string(s)
    case .unknown: break
    }
    encodeUnknownFields(dim.unknownFields, into: &d.pointee.base, arena)
    return d
  }
  encodeUnknownFields(shape.unknownFields, into: &m.pointee.base, arena)
  return m
}

func decodeValueInfo(_ m: UnsafeMutablePointer<Onnx__ValueInfoProto>) -> ValueInfo {
  ValueInfo(
    name: decodeString(m.pointee.name), type: m.pointee.type.map(decodeType),
    docString: decodeString(m.pointee.doc_string),
    metadataProps: decodeStringPairs(m.pointee.n_metadata_props, m.pointee.metadata_props),
    unknownFields: decodeUnknownFields(m.pointee.base))
}

func makeValueInfo(_ v: ValueInfo, _ arena: CArena) -> UnsafeMutablePointer<Onnx__ValueInfoProto> {
  let m = arena.allocate(Onnx__ValueInfoProto.self)
  onnx__value_info_proto__init(m)
  m.pointee.name = arena.string(v.name)
  m.pointee.type = v.type.map { makeType($0, arena) }
  m.pointee.doc_string = arena.string(v.docString)
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(v.metadataProps, arena)
  encodeUnknownFields(v.unknownFields, into: &m.pointee.base, arena)
  return m
}
