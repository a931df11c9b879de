import Foundation

/// A subcommand of `onnx-tune`. Each lives in `Commands/<Name>Command.swift` and is listed in
/// `main.swift`.
protocol CLICommand {
  /// The word after `onnx-tune`, e.g. `inspect`.
  static var name: String { get }
  /// One line for the command list.
  static var summary: String { get }
  /// Full `--help` text: usage line, arguments and options.
  static var help: String { get }
  /// Runs with the arguments after the command name; returns the exit status.
  static func run(_ arguments: inout Arguments) throws -> Int32
}

/// A user error on the command line or in an input file: printed as `onnx-tune: <message>`
/// with exit status 1 (2 for usage errors).
struct CLIError: Error, CustomStringConvertible {
  var message: String
  var usage: Bool = false
  var description: String { message }
}

/// Minimal command-line parsing: options are `--name value`, `--name=value` or flags, and
/// anything else is positional. Unknown options are an error naming the option.
struct Arguments {
  private var items: [String]
  private var consumed: [Bool]
  let command: String

  init(_ items: [String], command: String) {
    self.items = items
    self.consumed = Array(repeating: false, count: items.count)
    self.command = command
  }

  /// Inserts `items` before the given arguments, so that options given on the command line
  /// (which come later and win, see `option`) override them.
  mutating func prepend(_ extra: [String]) {
    items = extra + items
    consumed = Array(repeating: false, count: extra.count) + consumed
  }

  /// True when `--help` or `-h` is present.
  mutating func wantsHelp() -> Bool { flag("--help") || flag("-h") }

  /// Removes and reports a boolean flag.
  mutating func flag(_ name: String) -> Bool {
    var found = false
    for (i, item) in items.enumerated() where !consumed[i] && item == name {
      consumed[i] = true
      found = true
    }
    return found
  }

  /// The value of `--name VALUE` or `--name=VALUE` (the last one wins), if present.
  mutating func option(_ name: String) throws -> String? {
    try options(name).last
  }

  /// Every value given for a repeatable option.
  mutating func options(_ name: String) throws -> [String] {
    var values: [String] = []
    var i = 0
    while i < items.count {
      defer { i += 1 }
      if consumed[i] { continue }
      let item = items[i]
      if item == name {
        guard i + 1 < items.count, !consumed[i + 1] else {
          throw CLIError(message: "\(command): option \(name) needs a value", usage: true)
        }
        consumed[i] = true
        consumed[i + 1] = true
        values.append(items[i + 1])
        i += 1
      } else if item.hasPrefix(name + "=") {
        consumed[i] = true
        values.append(String(item.dropFirst(name.count + 1)))
      }
    }
    return values
  }

  /// An integer option within `range`.
  mutating func intOption(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws
    -> Int?
  {
    guard let s = try option(name) else { return nil }
    guard let v = Int(s), range.contains(v) else {
      throw CLIError(
        message: "\(command): \(name) expects a whole number in \(range.lowerBound)...\(range.upperBound), got '\(s)'",
        usage: true)
    }
    return v
  }

  /// A floating-point option.
  mutating func doubleOption(_ name: String) throws -> Double? {
    guard let s = try option(name) else { return nil }
    guard let v = Double(s), v.isFinite else {
      throw CLIError(message: "\(command): \(name) expects a number, got '\(s)'", usage: true)
    }
    return v
  }

  /// Remaining positional arguments; fails on any unconsumed `--option`.
  mutating func positionals() throws -> [String] {
    var out: [String] = []
    for (i, item) in items.enumerated() where !consumed[i] {
      if item.hasPrefix("-") && item.count > 1 {
        throw CLIError(message: "\(command): unknown option \(item) (see onnx-tune \(command) --help)", usage: true)
      }
      consumed[i] = true
      out.append(item)
    }
    return out
  }

  /// Exactly `count` positional arguments named in `names` (for the error message).
  mutating func positionals(_ names: [String]) throws -> [String] {
    let p = try positionals()
    guard p.count == names.count else {
      throw CLIError(
        message: "\(command): expected \(names.joined(separator: " ")), got \(p.count) argument(s) (see onnx-tune \(command) --help)",
        usage: true)
    }
    return p
  }
}

/// Writes to standard error.
func printError(_ message: String) {
  FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Left-justifies `text` in a field of `width` characters.
func padded(_ text: String, _ width: Int) -> String {
  text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
