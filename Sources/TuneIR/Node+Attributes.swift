import TuneTensor

/// Typed attribute reading with spec defaults; a wrong kind is an `OpError` naming the attribute.
extension Node {
  public func int(_ name: String, default value: Int) throws -> Int {
    try intIfPresent(name) ?? value
  }
  public func intIfPresent(_ name: String) throws -> Int? {
    guard let a = attribute(name) else { return nil }
    guard let v = a.i, a.kind == .int || a.kind == nil else {
      throw OpError("attribute '\(name)' should be an int")
    }
    guard let r = Int(exactly: v) else { throw OpError("attribute '\(name)' is out of range") }
    return r
  }
  public func float(_ name: String, default value: Float) throws -> Float {
    try floatIfPresent(name) ?? value
  }
  public func floatIfPresent(_ name: String) throws -> Float? {
    guard let a = attribute(name) else { return nil }
    if let f = a.f, a.kind == .float || a.kind == nil { return f }
    throw OpError("attribute '\(name)' should be a float")
  }
  public func string(_ name: String, default value: String) throws -> String {
    try stringIfPresent(name) ?? value
  }
  public func stringIfPresent(_ name: String) throws -> String? {
    guard let a = attribute(name) else { return nil }
    guard let s = a.s, a.kind == .string || a.kind == nil else {
      throw OpError("attribute '\(name)' should be a string")
    }
    return String(decoding: s, as: UTF8.self)
  }
  public func ints(_ name: String) throws -> [Int]? {
    guard let a = attribute(name) else { return nil }
    guard a.kind == .ints || (a.kind == nil && !a.ints.isEmpty) else {
      throw OpError("attribute '\(name)' should be a list of ints")
    }
    return try a.ints.map {
      guard let v = Int(exactly: $0) else { throw OpError("attribute '\(name)' is out of range") }
      return v
    }
  }
  public func floats(_ name: String) throws -> [Float]? {
    guard let a = attribute(name) else { return nil }
    guard a.kind == .floats || (a.kind == nil && !a.floats.isEmpty) else {
      throw OpError("attribute '\(name)' should be a list of floats")
    }
    return a.floats
  }
  public func strings(_ name: String) throws -> [String]? {
    guard let a = attribute(name) else { return nil }
    guard a.kind == .strings || (a.kind == nil && !a.strings.isEmpty) else {
      throw OpError("attribute '\(name)' should be a list of strings")
    }
    return a.strings.map { String(decoding: $0, as: UTF8.self) }
  }
  public func tensor(_ name: String) throws -> Tensor? {
    guard let a = attribute(name) else { return nil }
    guard let t = a.t else { throw OpError("attribute '\(name)' should be a tensor") }
    return t.data
  }
  public func graph(_ name: String) throws -> Graph? {
    guard let a = attribute(name) else { return nil }
    guard let g = a.g else { throw OpError("attribute '\(name)' should be a graph") }
    return g
  }
}
