import COnnxProto
import TuneIR

// ModelProto, TrainingInfoProto and FunctionProto: decode and encode side by side.

func decodeModel(_ m: UnsafeMutablePointer<Onnx__ModelProto>, _ ctx: DecodeContext) throws -> Model {
  let p = m.pointee
  return Model(
    irVersion: has(p.has_ir_version) ? p.ir_version : nil,
    opsetImports: decodeOpsets(p.n_opset_import, p.opset_import),
    producerName: decodeString(p.producer_name), producerVersion: decodeString(p.producer_version),
    domain: decodeString(p.domain), modelVersion: has(p.has_model_version) ? p.model_version : nil,
    docString: decodeString(p.doc_string), graph: try p.graph.map { try decodeGraph($0, ctx) },
    metadataProps: decodeStringPairs(p.n_metadata_props, p.metadata_props),
    trainingInfo: try decodeMessages(p.n_training_info, p.training_info) { try decodeTrainingInfo($0, ctx) },
    functions: try decodeMessages(p.n_functions, p.functions) { try decodeFunction($0, ctx) },
    configurations: decodeMessages(p.n_configuration, p.configuration) { decodeOpaque($0) },
    unknownFields: decodeUnknownFields(p.base))
}

func makeModel(_ model: Model, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__ModelProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__ModelProto.self)
  onnx__model_proto__init(m)
  if let v = model.irVersion { m.pointee.has_ir_version = 1; m.pointee.ir_version = v }
  (m.pointee.n_opset_import, m.pointee.opset_import) = encodeOpsets(model.opsetImports, a)
  m.pointee.producer_name = a.string(model.producerName)
  m.pointee.producer_version = a.string(model.producerVersion)
  m.pointee.domain = a.string(model.domain)
  if let v = model.modelVersion { m.pointee.has_model_version = 1; m.pointee.model_version = v }
  m.pointee.doc_string = a.string(model.docString)
  m.pointee.graph = try model.graph.map { try makeGraph($0, ctx) }
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(model.metadataProps, a)
  (m.pointee.n_training_info, m.pointee.training_info) = try encodeMessages(model.trainingInfo, a) {
    try makeTrainingInfo($0, ctx)
  }
  (m.pointee.n_functions, m.pointee.functions) = try encodeMessages(model.functions, a) { try makeFunction($0, ctx) }
  (m.pointee.n_configuration, m.pointee.configuration) = try encodeMessages(model.configurations, a) {
    try encodeOpaque($0, a) { onnx__device_configuration_proto__unpack(nil, $0, $1) }
  }
  encodeUnknownFields(model.unknownFields, into: &m.pointee.base, a)
  return m
}

func decodeTrainingInfo(_ m: UnsafeMutablePointer<Onnx__TrainingInfoProto>, _ ctx: DecodeContext) throws
  -> TrainingInfo
{
  let p = m.pointee
  return TrainingInfo(
    initialization: try p.initialization.map { try decodeGraph($0, ctx) },
    algorithm: try p.algorithm.map { try decodeGraph($0, ctx) },
    initializationBinding: decodeStringPairs(p.n_initialization_binding, p.initialization_binding),
    updateBinding: decodeStringPairs(p.n_update_binding, p.update_binding),
    unknownFields: decodeUnknownFields(p.base))
}

func makeTrainingInfo(_ t: TrainingInfo, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__TrainingInfoProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__TrainingInfoProto.self)
  onnx__training_info_proto__init(m)
  m.pointee.initialization = try t.initialization.map { try makeGraph($0, ctx) }
  m.pointee.algorithm = try t.algorithm.map { try makeGraph($0, ctx) }
  (m.pointee.n_initialization_binding, m.pointee.initialization_binding) = encodeStringPairs(t.initializationBinding, a)
  (m.pointee.n_update_binding, m.pointee.update_binding) = encodeStringPairs(t.updateBinding, a)
  encodeUnknownFields(t.unknownFields, into: &m.pointee.base, a)
  return m
}

func decodeFunction(_ m: UnsafeMutablePointer<Onnx__FunctionProto>, _ ctx: DecodeContext) throws -> Function {
  let p = m.pointee
  do {
    return Function(
      name: decodeString(p.name), inputs: decodeStrings(p.n_input, p.input),
      outputs: decodeStrings(p.n_output, p.output), attributeNames: decodeStrings(p.n_attribute, p.attribute),
      attributeProtos: try decodeMessages(p.n_attribute_proto, p.attribute_proto) { try decodeAttribute($0, ctx) },
      nodes: try decodeMessages(p.n_node, p.node) { try decodeNode($0, ctx) },
      docString: decodeString(p.doc_string), opsetImports: decodeOpsets(p.n_opset_import, p.opset_import),
      domain: decodeString(p.domain), overload: decodeString(p.overload),
      valueInfo: decodeMessages(p.n_value_info, p.value_info, decodeValueInfo),
      metadataProps: decodeStringPairs(p.n_metadata_props, p.metadata_props),
      unknownFields: decodeUnknownFields(p.base))
  } catch let e as DecodeError {
    throw DecodeError("function '\(decodeString(p.name) ?? "")': \(e.message)")
  }
}

func makeFunction(_ f: Function, _ ctx: EncodeContext) throws -> UnsafeMutablePointer<Onnx__FunctionProto> {
  let a = ctx.arena
  let m = a.allocate(Onnx__FunctionProto.self)
  onnx__function_proto__init(m)
  m.pointee.name = a.string(f.name)
  m.pointee.n_input = f.inputs.count
  m.pointee.input = a.strings(f.inputs)
  m.pointee.n_output = f.outputs.count
  m.pointee.output = a.strings(f.outputs)
  m.pointee.n_attribute = f.attributeNames.count
  m.pointee.attribute = a.strings(f.attributeNames)
  (m.pointee.n_attribute_proto, m.pointee.attribute_proto) = try encodeMessages(f.attributeProtos, a) {
    try makeAttribute($0, ctx)
  }
  (m.pointee.n_node, m.pointee.node) = try encodeMessages(f.nodes, a) { try makeNode($0, ctx) }
  m.pointee.doc_string = a.string(f.docString)
  (m.pointee.n_opset_import, m.pointee.opset_import) = encodeOpsets(f.opsetImports, a)
  m.pointee.domain = a.string(f.domain)
  m.pointee.overload = a.string(f.overload)
  (m.pointee.n_value_info, m.pointee.value_info) = encodeMessages(f.valueInfo, a) { makeValueInfo($0, a) }
  (m.pointee.n_metadata_props, m.pointee.metadata_props) = encodeStringPairs(f.metadataProps, a)
  encodeUnknownFields(f.unknownFields, into: &m.pointee.base, a)
  return m
}
