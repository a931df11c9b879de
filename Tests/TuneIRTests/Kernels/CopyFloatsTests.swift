import Testing

@testable import TuneTensor

/// `ConvKernel.copyFloats`, the row copy of the depthwise plane kernel and the windowed kernel's
/// bordered image: every length from 0 to 40, exactly `count` floats written (its last vector
/// overlaps the one before, never the floats past the row).
@Suite struct CopyFloatsTests {
  @Test func copiesExactlyCountFloats() {
    let source = (0..<48).map { Float($0) + 0.5 }
    for count in 0...40 {
      var destination = [Float](repeating: -1, count: 48)
      source.withUnsafeBufferPointer { s in
        destination.withUnsafeMutableBufferPointer { d in
          ConvKernel.copyFloats(from: s.baseAddress! + 3, to: d.baseAddress! + 1, count: count)
        }
      }
      #expect(destination[0] == -1, "count \(count)")
      #expect(Array(destination[1..<(1 + count)]) == Array(source[3..<(3 + count)]), "count \(count)")
      #expect(destination[(1 + count)...].allSatisfy { $0 == -1 }, "count \(count)")
    }
  }
}
