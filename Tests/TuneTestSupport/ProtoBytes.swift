/// Hand-made protobuf wire bytes, for tests that need files no exporter would write
/// (deep nesting, wrong wire types).
public enum ProtoBytes {
  public static func varint(_ value: UInt64) -> [UInt8] {
    var v = value
    var out: [UInt8] = []
    repeat {
      var b = UInt8(v & 0x7f)
      v >>= 7
      if v != 0 { b |= 0x80 }
      out.append(b)
    } while v != 0
    return out
  }

  /// A varint field.
  public static func field(_ number: UInt32, varint value: UInt64) -> [UInt8] {
    varint(UInt64(number) << 3) + varint(value)
  }

  /// A length-delimited field (string, bytes or sub-message).
  public static func field(_ number: UInt32, bytes: [UInt8]) -> [UInt8] {
    varint(UInt64(number) << 3 | 2) + varint(UInt64(bytes.count)) + bytes
  }

  public static func field(_ number: UInt32, string: String) -> [UInt8] {
    field(number, bytes: Array(string.utf8))
  }

  /// A ModelProto (ir_version 8, opset 13) around `graph` bytes.
  public static func model(graph: [UInt8]) -> [UInt8] {
    field(1, varint: 8) + field(7, bytes: graph) + field(8, bytes: field(2, varint: 13))
  }

  /// A GraphProto whose single `If` node nests `depth` graphs through its `then_branch`
  /// attribute (each level: graph → node → attribute → graph).
  public static func nestedGraph(depth: Int) -> [UInt8] {
    var graph = field(2, string: "innermost")
    for _ in 0..<depth {
      let attribute = field(1, string: "then_branch") + field(6, bytes: graph) + field(20, varint: 5)
      let node = field(1, string: "c") + field(2, string: "y") + field(4, string: "If") + field(5, bytes: attribute)
      graph = field(1, bytes: node) + field(2, string: "g")
    }
    return graph
  }
}
