import Foundation

/// Produces items `0..<count` in order on background threads, at most `prefetch` ahead of the
/// consumer: the engine under ``BatchLoader``, usable for any per-index work (a trainer's
/// batches, say) that should overlap with the consumer's own.
///
/// With one worker the items are produced one after the other in index order, so stateful
/// `produce` functions (a counter, a random stream) see exactly the calls a synchronous loop
/// would make. An error from `produce` is rethrown by `next()` in its place and stops the rest.
///
/// ```swift
/// let prefetcher = Prefetcher(count: batches.count, prefetch: 2) { k in try load(batches[k]) }
/// while let batch = try prefetcher.next() { train(batch) }
/// ```
public final class Prefetcher<Element: Sendable>: Sendable {
  public let count: Int
  private let state: PrefetchState<Element>

  /// Starts the workers.
  /// - Parameters:
  ///   - count: number of items.
  ///   - prefetch: items produced ahead of the consumer (the memory bound); at least 1.
  ///   - workers: background threads (more than `prefetch` cannot all be busy).
  ///   - name: the threads' name.
  ///   - produce: makes item `k`; runs on the workers.
  public init(
    count: Int, prefetch: Int = 2, workers: Int = 1, name: String = "TuneData.Prefetcher",
    produce: @escaping @Sendable (Int) throws -> Element
  ) {
    self.count = count
    state = PrefetchState(count: count, prefetch: max(1, prefetch), produce: produce)
    for _ in 0..<max(1, min(workers, count)) where count > 0 {
      let state = self.state
      let thread = Thread { state.work() }
      thread.name = name
      thread.start()
    }
  }

  deinit { state.cancel() }

  /// The next item, or nil after the last (or after `cancel`). Rethrows `produce`'s error.
  public func next() throws -> Element? { try state.next() }

  /// Stops the workers early (also done when the prefetcher is released). An item being
  /// produced is finished, then dropped.
  public func cancel() { state.cancel() }

  /// Waits until no worker is producing an item (call after `cancel` before touching state
  /// that `produce` uses).
  public func waitUntilIdle() { state.waitUntilIdle() }
}

/// Shared between a prefetcher and its threads; all mutable fields are guarded by `condition`.
private final class PrefetchState<Element: Sendable>: @unchecked Sendable {
  let count: Int
  let prefetch: Int
  let produce: @Sendable (Int) throws -> Element
  let condition = NSCondition()
  var nextToBuild = 0
  var nextToDeliver = 0
  var busy = 0
  var finished: [Int: Result<Element, any Error>] = [:]
  var cancelled = false

  init(count: Int, prefetch: Int, produce: @escaping @Sendable (Int) throws -> Element) {
    self.count = count
    self.prefetch = prefetch
    self.produce = produce
  }

  func cancel() {
    condition.lock()
    cancelled = true
    finished.removeAll()
    condition.broadcast()
    condition.unlock()
  }

  func waitUntilIdle() {
    condition.lock()
    while busy > 0 { condition.wait() }
    condition.unlock()
  }

  func work() {
    while true {
      condition.lock()
      while !cancelled && nextToBuild < count && nextToBuild >= nextToDeliver + prefetch {
        condition.wait()
      }
      if cancelled || nextToBuild >= count {
        condition.unlock()
        return
      }
      let k = nextToBuild
      nextToBuild += 1
      busy += 1
      condition.unlock()

      let result = Result { try produce(k) }
      condition.lock()
      busy -= 1
      if !cancelled { finished[k] = result }
      condition.broadcast()
      condition.unlock()
    }
  }

  func next() throws -> Element? {
    condition.lock()
    if nextToDeliver >= count || cancelled {
      condition.unlock()
      return nil
    }
    while finished[nextToDeliver] == nil && !cancelled { condition.wait() }
    guard let result = finished.removeValue(forKey: nextToDeliver) else {
      condition.unlock()
      return nil
    }
    nextToDeliver += 1
    condition.broadcast()
    condition.unlock()
    switch result {
    case .success(let item): return item
    case .failure(let error):
      cancel()
      throw error
    }
  }
}
