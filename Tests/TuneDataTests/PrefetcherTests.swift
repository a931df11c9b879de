import Foundation
import Testing

@testable import TuneData

/// The background engine of `BatchLoader` (and of the trainer's prefetching).
@Suite struct PrefetcherTests {
  /// A stateful producer: each call takes the next value of a counter.
  ///
  /// Guarded by an NSLock (a pthread mutex), not a `Synchronization.Mutex`: on Linux a contended
  /// `Mutex` is handed over in the kernel (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI, from the
  /// uninstrumented Synchronization library), which ThreadSanitizer cannot see, so
  /// `scripts/sanitize.sh thread` reported two workers' calls here as a race although they were
  /// serialized (a 15-line program shows the same with four threads; with NSLock, nothing).
  final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Int] = []
    func take(_ k: Int) -> (index: Int, call: Int) {
      lock.withLock {
        values.append(k)
        return (k, values.count - 1)
      }
    }
    var calls: [Int] { lock.withLock { values } }
  }

  @Test func oneWorkerCallsInIndexOrderLikeASynchronousLoop() throws {
    let counter = Counter()
    let prefetcher = Prefetcher(count: 50, prefetch: 3) { k in
      if k % 7 == 0 { Thread.sleep(forTimeInterval: 0.001) }
      return counter.take(k)
    }
    var got: [(index: Int, call: Int)] = []
    while let item = try prefetcher.next() { got.append(item) }
    #expect(got.map(\.index) == Array(0..<50))
    #expect(got.map(\.call) == Array(0..<50), "item k is the k-th call, as in a loop")
    #expect(counter.calls == Array(0..<50))
  }

  @Test func staysWithinThePrefetchBound() throws {
    let counter = Counter()
    let prefetcher = Prefetcher(count: 20, prefetch: 2, workers: 2) { k in counter.take(k).index }
    Thread.sleep(forTimeInterval: 0.05)
    #expect(counter.calls.count <= 2, "at most `prefetch` items ahead of a consumer that has taken none")
    var got: [Int] = []
    while let k = try prefetcher.next() { got.append(k) }
    #expect(got == Array(0..<20))
  }

  struct Failure: Error {}

  @Test func rethrowsInPlaceAndStops() throws {
    let prefetcher = Prefetcher(count: 10, prefetch: 2) { k in
      if k == 4 { throw Failure() }
      return k
    }
    for k in 0..<4 { #expect(try prefetcher.next() == k) }
    #expect(throws: Failure.self) { try prefetcher.next() }
    #expect(try prefetcher.next() == nil)
  }

  @Test func cancelThenIdleLeavesTheProducerAlone() throws {
    let counter = Counter()
    let prefetcher = Prefetcher(count: 1000, prefetch: 4) { k in
      Thread.sleep(forTimeInterval: 0.001)
      return counter.take(k).index
    }
    #expect(try prefetcher.next() == 0)
    prefetcher.cancel()
    prefetcher.waitUntilIdle()
    let calls = counter.calls.count
    Thread.sleep(forTimeInterval: 0.02)
    #expect(counter.calls.count == calls, "no call after cancel + waitUntilIdle")
    #expect(calls <= 6)
    #expect(try prefetcher.next() == nil)
  }
}
