import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Deterministic fault injection for the crash-safety tests, switched on only by the
/// environment variable `ONNX_TUNE_FAULT` (read once, at first use; without it every hook is a
/// no-op costing one comparison):
///
/// - `kill-at:PHASE[:N]` — the process raises `SIGKILL` on itself the `N`-th time (default 1st)
///   it reaches `PHASE`.
/// - `kill-after-bytes:N` — the process dies once `N` bytes have gone into the temporary files of
///   atomic writes (counted over every file it writes, external data included): the file being
///   written is cut to the bytes that fit and the process raises `SIGKILL`, which leaves the disk
///   exactly as a kill in the middle of that write would.
/// - `fail-at:PHASE:ERRNO[:N]` — the `N`-th time the process reaches `PHASE` the operation fails
///   with `ERRNO` (`ENOSPC`, `EACCES`, `EIO`, `EROFS` or a number), as a full disk would make it.
///
/// Phases of one atomic model write, in order (`data-*` once per external data file):
/// `data-create`, `data-write`, `data-fsync`, `data-renamed`, `model-create`, `model-write`,
/// `model-fsync`, `model-renamed`, `dir-fsync`, `old-data-removed`; `tensor-*` for a tensor
/// file and `file-*` (ending with `file-dir-fsync`) for the reports written beside a model. The
/// `onnx-tune` CLI adds
/// `batch` (before each training batch is loaded) and `export` (before `finetune` writes its
/// model).
public enum FaultInjection {
  enum Plan: Sendable {
    case none
    case killAt(phase: String, occurrence: Int)
    case killAfterBytes(Int)
    case failAt(phase: String, errno: Int32, occurrence: Int)
  }

  struct State: Sendable {
    var counts: [String: Int] = [:]
    var bytes = 0
  }

  static let plan: Plan = parse(getenv("ONNX_TUNE_FAULT").map { String(cString: $0) })
  static let state = Mutex(State())

  static func parse(_ text: String?) -> Plan {
    guard let text, !text.isEmpty else { return .none }
    let parts = text.split(separator: ":").map(String.init)
    switch parts.first {
    case "kill-at" where parts.count >= 2:
      return .killAt(phase: parts[1], occurrence: parts.count > 2 ? Int(parts[2]) ?? 1 : 1)
    case "kill-after-bytes" where parts.count == 2:
      return Int(parts[1]).map { .killAfterBytes($0) } ?? .none
    case "fail-at" where parts.count >= 3:
      let names: [String: Int32] = ["ENOSPC": ENOSPC, "EACCES": EACCES, "EIO": EIO, "EROFS": EROFS, "EDQUOT": EDQUOT]
      guard let code = names[parts[2].uppercased()] ?? Int32(parts[2]) else { return .none }
      return .failAt(phase: parts[1], errno: code, occurrence: parts.count > 3 ? Int(parts[3]) ?? 1 : 1)
    default:
      return .none
    }
  }

  static var enabled: Bool {
    if case .none = plan { return false }
    return true
  }

  /// Marks `phase` as reached: dies here under `kill-at`, or returns the errno to fail with
  /// under `fail-at` (0 otherwise).
  @discardableResult
  public static func reach(_ phase: String) -> Int32 {
    guard enabled else { return 0 }
    let n = state.withLock { s in
      s.counts[phase, default: 0] += 1
      return s.counts[phase]!
    }
    switch plan {
    case .killAt(let p, let k) where p == phase && k == n:
      die()
    case .failAt(let p, let code, let k) where p == phase && k == n:
      return code
    default:
      return 0
    }
  }

  /// Accounts for a file of `size` bytes just written through `fd`; under `kill-after-bytes`,
  /// cuts it to what fits in the budget and dies when the budget is spent.
  static func wrote(fd: Int32, size: Int) {
    guard case .killAfterBytes(let budget) = plan else { return }
    let (before, after) = state.withLock { s in
      s.bytes += size
      return (s.bytes - size, s.bytes)
    }
    if after > budget || (size > 0 && after == budget) {
      ftruncate(fd, off_t(max(budget - before, 0)))
      die()
    }
  }

  static func die() -> Never {
    raise(SIGKILL)
    _exit(137)
  }
}
