import Testing
import TuneTensor

/// `Tensor`'s copy on write: `makeUnique()` (and so `withMutableElements`) writes in place only
/// into memory the tensor allocated and holds alone.
@Suite struct TensorTests {
  @Test func aTensorHoldingItsOwnBufferAloneIsWrittenInPlace() {
    var t = Tensor([Float](repeating: 1, count: 4), shape: [4])
    let buffer = t.buffer
    t.withMutableElements(as: Float.self) { $0[0] = 2 }
    // `buffer` is a second holder: the write copied, and `buffer` kept its values.
    #expect(t.buffer !== buffer)
    #expect(Array(UnsafeBufferPointer(start: buffer.pointer.assumingMemoryBound(to: Float.self), count: 4)) == [1, 1, 1, 1])
    let own = t.buffer.pointer
    t.withMutableElements(as: Float.self) { $0[1] = 3 }
    #expect(t.buffer.pointer == own)
    #expect(t.elements(as: Float.self) == [2, 3, 1, 1])
  }

  @Test func memoryOwnedElsewhereIsCopiedBeforeAWrite() {
    // A buffer wrapping memory it does not own (a read-only mapping, say) is never written,
    // even when one tensor holds it alone.
    let raw = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 64)
    defer { raw.deallocate() }
    raw.initializeMemory(as: Float.self, repeating: 1, count: 4)
    var t = Tensor(dtype: .float, shape: [4], buffer: TensorBuffer(wrapping: raw, byteCount: 16, release: nil))
    let before = t.isUniquelyReferenced()
    #expect(!before)
    t.withMutableElements(as: Float.self) { $0[0] = 2 }
    #expect(t.buffer.ownsMemory && t.buffer.pointer != raw)
    #expect(t.elements(as: Float.self) == [2, 1, 1, 1])
    #expect(Array(UnsafeBufferPointer(start: raw.assumingMemoryBound(to: Float.self), count: 4)) == [1, 1, 1, 1])
    let after = t.isUniquelyReferenced()
    #expect(after)
  }
}
