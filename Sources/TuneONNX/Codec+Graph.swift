import COnnxProto
import TuneIR

// GraphProto, NodeProto and AttributeProto: decode and encode side by side. Graphs nest through
// attributes (If, Loop, Scan bodies); the wire check bounds the depth before any of this runs.

/// What the encoder needs beyond the arena: a sink for external tensor data.
struct EncodeContext {
  let arena: CArena
  /// Writes an external tensor's bytes and returns its `external_data` keys.
  let external: ((TensorProto) throws -> [StringPair])?
}

func decodeGraph(_ m: UnsafeMutablePointer<Onnx__GraphProto>, _ ctx: DecodeContext) throws -> Graph {
  let g = m.pointee
  return Graph(
    nodes: try decodeMessages(g.n_node, g.node) { try decodeNode($0, ctx) },
    name: decodeString(g.name),
    initializers: try decodeMessages(g.n_initializer, g.initializer) { try decodeTensor($0, ctx) },
    sparseInitializers: try decodeMessages(g.n_sparse_initializer, g.sparse_initializer) {
      try decodeSparseTensor($0, ctx)
    },
    docString: decodeString(g.doc_string),
    inputs: decodeMessages(g.n_input, g.input, decodeValueInfo),
    outputs: decodeMessages(g.n_output, g.output, decodeValueInfo),
    valueInfo: decodeMessages(g.n_value_info, g.value_info, decodeValueInfo),
    quantizationAnnotations: decodeMessages(g.n_quantization_annotation, g.quantization_annotation) {
      decodeOpaque($0)
    },
    metadataProps: decodeStringPairs(g.n_metadata_props, g.metadata_props),
    unknownFields: decodeUnknownFields(g.base))
}

func makeGraph(_ graph: Graph, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__GraphProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__GraphProto.self)
  onnx__graph_proto__init(m)
  (m.pointee.n_node, m.pointee.node) = try encodeMessages(graph.nodes, a) { try makeNode($0, ctx) }
  m.pointee.name = a.string(graph.name)
  (m.pointee.n_initializer, m.pointee.initializer) = try encodeMessages(graph.initializers, a) {
    try makeTensor($0, a, external: ctx.external)
  }
  (m.pointee.n_sparse_initializer, m.pointee.sparse_initializer) = try encodeMessages(graph.sparseInitializers, a) {
    try makeSparseTensor($0, a, external: ctx.external)
  }
  m.pointee.doc_string = a.string(graph.docString)
  (m.pointee.n_input, m.pointee.input) = encodeMessages(graph.inputs, a) { makeValueInfo($0, a) }
  (m.pointee.n_output, m.pointee.output) = encodeMessages(graph.outputs, a) { makeValueInfo($0, a) }
  (m.pointee.n_value_info, m.pointee.value_info) = encodeMessages(graph.valueInfo, a) { makeValueInfo($0, a) }
  (m.pointee.n_quantization_annotation, m.pointee.quantization_annotation) = try encodeMessages(
    graph.quantizationAnnotations, a
  ) { try encodeOpaque($0, a) { onnx__tensor_annotation__unpack(nil, $0, $1) } }
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(graph.metadataProps, a)
  encodeUnknownFields(graph.unknownFields, into: &m.pointee.base, a)
  return m
}

func decodeNode(_ m: UnsafeMutablePointer<Onnx__NodeProto>, _ ctx: DecodeContext) throws -> Node {
  let n = m.pointee
  do {
    return Node(
      opType: decodeString(n.op_type), inputs: decodeStrings(n.n_input, n.input),
      outputs: decodeStrings(n.n_output, n.output), name: decodeString(n.name),
      domain: decodeString(n.domain), overload: decodeString(n.overload),
      attributes: try decodeMessages(n.n_attribute, n.attribute) { try decodeAttribute($0, ctx) },
      docString: decodeString(n.doc_string),
      metadataProps: decodeStringPairs(n.n_metadata_props, n.metadata_props),
      deviceConfigurations: decodeMessages(n.n_device_configurations, n.device_configurations) {
        decodeOpaque($0)
      },
      unknownFields: decodeUnknownFields(n.base))
  } catch let e as DecodeError {
    let name = decodeString(n.name).map { "'\($0)'" } ?? "(unnamed)"
    throw DecodeError("node \(name) (\(decodeString(n.op_type) ?? "?")): \(e.message)")
  }
}

func makeNode(_ node: Node, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__NodeProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__NodeProto.self)
  onnx__node_proto__init(m)
  m.pointee.n_input = node.inputs.count
  m.pointee.input = a.strings(node.inputs)
  m.pointee.n_output = node.outputs.count
  m.pointee.output = a.strings(node.outputs)
  m.pointee.name = a.string(node.name)
  m.pointee.op_type = a.string(node.opType)
  m.pointee.domain = a.string(node.domain)
  m.pointee.overload = a.string(node.overload)
  (m.pointee.n_attribute, m.pointee.attribute) = try encodeMessages(node.attributes, a) {
    try makeAttribute($0, ctx)
  }
  m.pointee.doc_string = a.string(node.docString)
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(node.metadataProps, a)
  (m.pointee.n_device_configurations, m.pointee.device_configurations) = try encodeMessages(
    node.deviceConfigurations, a
  ) { try encodeOpaque($0, a) { onnx__node_device_configuration_proto__unpack(nil, $0, $1) } }
  encodeUnknownFields(node.unknownFields, into: &m.pointee.base, a)
  return m
}

func decodeAttribute(_ m: UnsafeMutablePointer<Onnx__AttributeProto>, _ ctx: DecodeContext) throws
  -> Attribute
{
  let p = m.pointee
  var a = Attribute(name: decodeString(p.name))
  do {
    a.refAttrName = decodeString(p.ref_attr_name)
    a.docString = decodeString(p.doc_string)
    if has(p.has_type) { a.type = Int32(bitPattern: UInt32(p.type.rawValue)) }
    if has(p.has_f) { a.f = p.f }
    if has(p.has_i) { a.i = p.i }
    if has(p.has_s) { a.s = decodeBytes(p.s) }
    a.t = try p.t.map { try decodeTensor($0, ctx) }
    a.g = try p.g.map { try decodeGraph($0, ctx) }
    a.sparseTensor = try p.sparse_tensor.map { try decodeSparseTensor($0, ctx) }
    a.tp = p.tp.map(decodeType)
    a.floats = decodeArray(p.n_floats, p.floats)
    a.ints = decodeArray(p.n_ints, p.ints)
    a.strings = decodeArray(p.n_strings, p.strings).map(decodeBytes)
    a.tensors = try decodeMessages(p.n_tensors, p.tensors) { try decodeTensor($0, ctx) }
    a.graphs = try decodeMessages(p.n_graphs, p.graphs) { try decodeGraph($0, ctx) }
    a.sparseTensors = try decodeMessages(p.n_sparse_tensors, p.sparse_tensors) { try decodeSparseTensor($0, ctx) }
    a.typeProtos = decodeMessages(p.n_type_protos, p.type_protos, decodeType)
    a.unknownFields = decodeUnknownFields(p.base)
  } catch let e as DecodeError {
    throw DecodeError("attribute '\(a.name ?? "")': \(e.message)")
  }
  return a
}

func makeAttribute(_ attr: Attribute, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__AttributeProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__AttributeProto.self)
  onnx__attribute_proto__init(m)
  m.pointee.name = a.string(attr.name)
  m.pointee.ref_attr_name = a.string(attr.refAttrName)
  m.pointee.doc_string = a.string(attr.docString)
  if let t = attr.type {
    m.pointee.has_type = 1
    m.pointee.type = Onnx__AttributeProto__AttributeType(rawValue: numericCast(UInt32(bitPattern: t)))
  }
  if let f = attr.f { m.pointee.has_f = 1; m.pointee.f = f }
  if let i = attr.i { m.pointee.has_i = 1; m.pointee.i = i }
  if let s = attr.s { m.pointee.has_s = 1; m.pointee.s = a.binary(s) }
  m.pointee.t = try attr.t.map { try makeTensor($0, a, external: ctx.external) }
  m.pointee.g = try attr.g.map { try makeGraph($0, ctx) }
  m.pointee.sparse_tensor = try attr.sparseTensor.map { try makeSparseTensor($0, a, external: ctx.external) }
  m.pointee.tp = attr.tp.map { makeType($0, a) }
  m.pointee.n_floats = attr.floats.count
  m.pointee.floats = a.array(attr.floats)
  m.pointee.n_ints = attr.ints.count
  m.pointee.ints = a.array(attr.ints)
  m.pointee.n_strings = attr.strings.count
  m.pointee.strings = a.array(attr.strings.map { a.binary($0) })
  (m.pointee.n_tensors, m.pointee.tensors) = try encodeMessages(attr.tensors, a) {
    try makeTensor($0, a, external: ctx.external)
  }
  (m.pointee.n_graphs, m.pointee.graphs) = try encodeMessages(attr.graphs, a) { try makeGraph($0, ctx) }
  (m.pointee.n_sparse_tensors, m.pointee.sparse_tensors) = try encodeMessages(attr.sparseTensors, a) {
    try makeSparseTensor($0, a, external: ctx.external)
  }
  (m.pointee.n_type_protos, m.pointee.type_protos) = encodeMessages(attr.typeProtos, a) { makeType($0, a) }
  encodeUnknownFields(attr.unknownFields, into: &m.pointee.base, a)
  return m
}
