/// A JSON value that keeps object keys in the order they were given, for stable output.
indirect enum JSON {
  case object([(String, JSON)])
  case array([JSON])
  case string(String)
  case int(Int)
  case double(Double)
  case bool(Bool)
  case null

  /// Pretty-printed text with two-space indentation.
  func rendered(indent: String = "") -> String {
    let inner = indent + "  "
    switch self {
    case .object(let items):
      if items.isEmpty { return "{}" }
      return "{\n" + items.map { "\(inner)\(JSON.quote($0.0)): \($0.1.rendered(indent: inner))" }
        .joined(separator: ",\n") + "\n\(indent)}"
    case .array(let items):
      if items.isEmpty { return "[]" }
      if items.allSatisfy({ $0.isScalar }) {
        return "[" + items.map { $0.rendered() }.joined(separator: ", ") + "]"
      }
      return "[\n" + items.map { inner + $0.rendered(indent: inner) }.joined(separator: ",\n") + "\n\(indent)]"
    case .string(let s): return JSON.quote(s)
    case .int(let i): return String(i)
    case .double(let d): return d.isFinite ? String(d) : "null"
    case .bool(let b): return b ? "true" : "false"
    case .null: return "null"
    }
  }

  var isScalar: Bool {
    switch self {
    case .object, .array: return false
    default: return true
    }
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          let hex = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
