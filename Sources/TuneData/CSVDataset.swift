import Foundation

/// Reads numeric CSV files (optionally gzipped) into a ``TensorDataset``: numeric feature
/// columns and one label column.
///
/// Labels are integers (classes `"0"`, `"1"`, …) or names (classes sorted). A header row is
/// detected when a feature field of the first row is not a number, unless stated. A row with
/// the wrong number of columns or a field that is not a number is an error naming its line.
///
/// ```swift
/// let digits = try CSVDataset.load(path: "digits.csv.gz")          // label in the last column
/// let iris = try CSVDataset.load(path: "iris.csv", options: .init(labelColumn: .name("species")))
/// ```
public enum CSVDataset {
  public enum LabelColumn: Sendable, Equatable {
    case first, last
    /// Zero-based column index.
    case index(Int)
    /// Column name in the header row.
    case name(String)
  }

  public struct Options: Sendable, Equatable {
    /// nil: detect; true/false: the first row is/is not a header.
    public var hasHeader: Bool?
    public var labelColumn: LabelColumn
    public var delimiter: UInt8
    /// The classes, when known (labels must then be in range, or be these names).
    public var classNames: [String]?

    public init(
      hasHeader: Bool? = nil, labelColumn: LabelColumn = .last, delimiter: Character = ",",
      classNames: [String]? = nil
    ) {
      self.hasHeader = hasHeader
      self.labelColumn = labelColumn
      self.delimiter = delimiter.asciiValue ?? UInt8(ascii: ",")
      self.classNames = classNames
    }
  }

  /// Parses the file at `path` (gunzipped first when it starts with the gzip magic).
  public static func load(path: String, options: Options = Options()) throws -> TensorDataset {
    var data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw DataError("\(path): cannot read (\(error.localizedDescription))")
    }
    if data.count >= 2, data[data.startIndex] == 0x1F, data[data.startIndex + 1] == 0x8B {
      data = try Inflate.gunzip(data, name: path)
    }
    return try parse([UInt8](data), name: path, options: options)
  }

  /// Parses CSV text; `name` is used in errors.
  public static func parse(_ text: String, name: String, options: Options = Options()) throws -> TensorDataset {
    try parse(Array(text.utf8), name: name, options: options)
  }

  static func parse(_ input: [UInt8], name: String, options: Options) throws -> TensorDataset {
    var bytes = input
    bytes.append(0)  // strtod stops at the terminator
    return try bytes.withUnsafeBufferPointer { buffer in
      let b = buffer.baseAddress!
      let end = buffer.count - 1
      // Lines: (line number, start, end) without the newline / carriage return; blank skipped.
      var lines: [(number: Int, start: Int, end: Int)] = []
      var lineStart = 0
      var lineNumber = 1
      var i = 0
      while i <= end {
        if i == end || b[i] == UInt8(ascii: "\n") {
          var e = i
          if e > lineStart, b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
          var blank = true
          for j in lineStart..<e where b[j] != UInt8(ascii: " ") && b[j] != UInt8(ascii: "\t") {
            blank = false
            break
          }
          if !blank { lines.append((lineNumber, lineStart, e)) }
          lineNumber += 1
          lineStart = i + 1
        }
        i += 1
      }
      guard !lines.isEmpty else { throw DataError("\(name): no rows") }

      func fields(_ line: (number: Int, start: Int, end: Int)) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var s = line.start
        var j = line.start
        while j <= line.end {
          if j == line.end || b[j] == options.delimiter {
            var fs = s
            var fe = j
            while fs < fe, b[fs] == UInt8(ascii: " ") || b[fs] == UInt8(ascii: "\t") { fs += 1 }
            while fe > fs, b[fe - 1] == UInt8(ascii: " ") || b[fe - 1] == UInt8(ascii: "\t") { fe -= 1 }
            if fe - fs >= 2, b[fs] == UInt8(ascii: "\""), b[fe - 1] == UInt8(ascii: "\"") {
              fs += 1
              fe -= 1
            }
            out.append((fs, fe))
            s = j + 1
          }
          j += 1
        }
        return out
      }
      func text(_ f: (Int, Int)) -> String {
        String(decoding: UnsafeBufferPointer(start: b + f.0, count: f.1 - f.0), as: UTF8.self)
      }
      func number(_ f: (Int, Int)) -> Double? {
        guard f.1 > f.0 else { return nil }
        var stop: UnsafeMutablePointer<CChar>?
        let p = UnsafeMutableRawPointer(mutating: b + f.0).assumingMemoryBound(to: CChar.self)
        let v = strtod(p, &stop)
        guard let stop, stop == p + (f.1 - f.0) else { return nil }
        return v
      }

      let first = fields(lines[0])
      let columns = first.count
      guard columns >= 2 else {
        throw DataError("\(name):\(lines[0].number): found \(columns) column; expected features and a label")
      }
      var labelIndex: Int
      switch options.labelColumn {
      case .first: labelIndex = 0
      case .last: labelIndex = columns - 1
      case .index(let k):
        labelIndex = k < 0 ? columns + k : k
        guard labelIndex >= 0 && labelIndex < columns else {
          throw DataError("\(name): label column \(k) is outside the \(columns) columns")
        }
      case .name(let column):
        guard let k = first.firstIndex(where: { text($0) == column }) else {
          throw DataError("\(name):\(lines[0].number): no column named '\(column)' in the header (\(first.map(text).joined(separator: ", ")))")
        }
        labelIndex = k
      }
      var hasHeader: Bool
      if let given = options.hasHeader {
        hasHeader = given
      } else if case .name = options.labelColumn {
        hasHeader = true
      } else {
        hasHeader = first.enumerated().contains { $0.offset != labelIndex && number($0.element) == nil }
      }
      let header = hasHeader ? first.map(text) : nil
      let rows = hasHeader ? lines.dropFirst() : lines[...]
      guard !rows.isEmpty else { throw DataError("\(name): a header but no data rows") }
      let featureCount = columns - 1
      var features = [Float]()
      features.reserveCapacity(rows.count * featureCount)
      var rawLabels: [(String, Int)] = []  // text, line
      rawLabels.reserveCapacity(rows.count)
      for line in rows {
        let row = fields(line)
        guard row.count == columns else {
          throw DataError("\(name):\(line.number): expected \(columns) columns, found \(row.count)")
        }
        for (k, f) in row.enumerated() {
          if k == labelIndex { continue }
          guard let v = number(f) else {
            let column = header.map { "'\($0[k])'" } ?? "\(k + 1)"
            throw DataError(
              "\(name):\(line.number): column \(column): '\(text(f))' is not a number")
          }
          features.append(Float(v))
        }
        rawLabels.append((text(row[labelIndex]), line.number))
      }
      // Integer labels, or class names.
      var labels: [Int] = []
      var classNames = options.classNames
      let integers = rawLabels.map { t -> Int? in
        if let v = Int(t.0) { return v }
        if let d = Double(t.0), d == d.rounded(), abs(d) < 1e15 { return Int(d) }
        return nil
      }
      let byName = options.classNames.map { names in rawLabels.allSatisfy { names.contains($0.0) } } ?? false
      if !byName && integers.allSatisfy({ $0 != nil }) {
        labels = integers.map { $0! }
        let count = classNames?.count ?? ((labels.max() ?? -1) + 1)
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= count }) {
          throw DataError(
            "\(name):\(rawLabels[bad].1): label \(labels[bad]) is outside the class range 0..<\(count)")
        }
        if classNames == nil { classNames = (0..<count).map(String.init) }
      } else {
        let names = classNames ?? Array(Set(rawLabels.map { $0.0 })).sorted()
        var lookup: [String: Int] = [:]
        for (k, n) in names.enumerated() { lookup[n] = k }
        for (t, line) in rawLabels {
          guard let k = lookup[t] else {
            throw DataError("\(name):\(line): label '\(t)' is not one of the classes \(names)")
          }
          labels.append(k)
        }
        classNames = names
      }
      return try TensorDataset(
        features: NumPyArray(floats: features, shape: [labels.count, featureCount]), labels: labels,
        classNames: classNames, source: name)
    }
  }
}
