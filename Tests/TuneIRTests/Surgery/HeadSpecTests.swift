import Testing
import TuneIR

@Suite struct HeadSpecTests {
  @Test func parsesTheDocumentedItems() throws {
    let s = try HeadSpec(parsing: "globalavgpool,flatten,dense:256:relu,dropout:0.3,batchnorm,gelu,dense:CLASSES")
    #expect(
      s.layers == [
        .globalAveragePool, .flatten, .dense(.fixed(256), .relu), .dropout(0.3), .batchNorm, .activation(.gelu),
        .dense(.classes, .none),
      ])
    #expect(s.description == "globalavgpool,flatten,dense:256:relu,dropout:0.3,batchnorm,gelu,dense:CLASSES")
    #expect(try HeadSpec(parsing: "dense:classes:none").layers == [.dense(.classes, .none)])
  }

  @Test(arguments: [
    ("dense:0", "item 1 'dense:0'"),
    ("dense:256:relu,dropout:1.5,dense:CLASSES", "item 2 'dropout:1.5'"),
    ("dense:256:swish", "unknown activation 'swish'"),
    ("dense:64,conv:3", "item 2 'conv:3': unknown layer"),
    ("dense:64,,dense:CLASSES", "item 2 '': empty item"),
    ("dropout:0.5", "has no dense layer"),
    ("batchnorm:3,dense:CLASSES", "batchnorm takes no arguments"),
  ])
  func errorsNameTheBadItem(spec: String, expected: String) {
    let err = #expect(throws: SurgeryError.self) { try HeadSpec(parsing: spec) }
    #expect(err?.message.contains(expected) == true, "\(err?.message ?? "no error")")
  }
}
