import Testing
import TuneIR
import TuneTensor

@Test func opsetVersionTreatsAiOnnxAsDefaultDomain() {
  let m = Model(opsetImports: [OperatorSetID(domain: "ai.onnx", version: 13)])
  #expect(m.opsetVersion() == 13)
}
