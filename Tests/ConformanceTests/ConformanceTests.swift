import Foundation
import Testing
import TuneTestSupport

/// The ONNX backend tests listed in `fixtures/conformance/manifest.txt`, one test each,
/// run directly and after write → read.
@Suite struct ConformanceTests {
  @Test(arguments: ManifestEntry.load())
  func nodeCase(_ entry: ManifestEntry) throws {
    try Conformance.run(entry.name, rtol: entry.rtol, atol: entry.atol, tiedLogits: entry.tiedLogits)
  }

  @Test func manifestListsOnlyExistingCases() throws {
    let all = Set(try Conformance.allCases() + Conformance.otherCases())
    let listed = ManifestEntry.load().map(\.name)
    #expect(Set(listed).count == listed.count, "a case is listed twice")
    for name in listed { #expect(all.contains(name), "\(name) is not a backend test case") }
  }

  @Test func manifestParsing() {
    let entries = ManifestEntry.parse(
      """
      # header comment
      test_a
      test_b rtol=1e-2 atol=1e-5  # why
      # test_c: unsupported
      test_d ties  # why

      """)
    #expect(entries.map(\.name) == ["test_a", "test_b", "test_d"])
    #expect(entries.map(\.tiedLogits) == [false, false, true])
    #expect(entries[1].rtol == 1e-2 && entries[1].atol == 1e-5 && entries[0].rtol == 1e-3)
  }
}
