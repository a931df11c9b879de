import Foundation
import Testing
import TuneTensor

/// `.npy` files written by numpy 2 (`np.save` / `np.lib.format.write_array`), as hex.
@Suite struct NPYTests {
  static func bytes(_ hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var i = hex.startIndex
    while i < hex.endIndex {
      let j = hex.index(i, offsetBy: 2)
      out.append(UInt8(hex[i..<j], radix: 16)!)
      i = j
    }
    return out
  }
  static let f32 = bytes(
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c2033292c207d"
      + String(repeating: "20", count: 58) + "0a000000000000803f0000004000004040000080400000a040")
  static let i64Scalar = bytes(
    "934e554d5059010076007b276465736372273a20273c6938272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028292c207d"
      + String(repeating: "20", count: 62) + "0afbffffffffffffff")
  static let bool = bytes(
    "934e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028332c292c207d"
      + String(repeating: "20", count: 60) + "0a010001")
  static let f16 = bytes(
    "934e554d5059010076007b276465736372273a20273c6632272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d"
      + String(repeating: "20", count: 60) + "0a003e00c0")
  static let v2 = bytes(
    "934e554d50590200740000007b276465736372273a20277c6931272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028322c292c207d"
      + String(repeating: "20", count: 58) + "0a0708")
  static let bigEndian = bytes(
    "934e554d5059010076007b276465736372273a20273e6634272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c292c207d"
      + String(repeating: "20", count: 60) + "0a3f800000")
  static let fortran = bytes(
    "934e554d5059010076007b276465736372273a20273c6634272c2027666f727472616e5f6f72646572273a20547275652c20277368617065273a2028322c2032292c207d"
      + String(repeating: "20", count: 59) + "0a00000000000000000000000000000000")
  static let u8 = bytes(
    "934e554d5059010076007b276465736372273a20277c7531272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c2032292c207d"
      + String(repeating: "20", count: 58) + "0aff00")
  static let f64 = bytes(
    "934e554d5059010076007b276465736372273a20273c6638272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065273a2028312c292c207d"
      + String(repeating: "20", count: 60) + "0a9a9999999999b93f")

  @Test func decodesNumpyFiles() throws {
    let a = try NPY.decode(Self.f32)
    #expect(a.dtype == .float && a.shape == [2, 3])
    #expect(a.elements(as: Float.self) == [0, 1, 2, 3, 4, 5])
    let s = try NPY.decode(Self.i64Scalar)
    #expect(s.shape == [] && s.elements(as: Int64.self) == [-5])
    #expect(try NPY.decode(Self.bool).elements(as: Bool.self) == [true, false, true])
    #expect(try NPY.decode(Self.f16).elements(as: Float16.self) == [1.5, -2])
    let v2 = try NPY.decode(Self.v2)
    #expect(v2.dtype == .int8 && v2.elements(as: Int8.self) == [7, 8])
    #expect(try NPY.decode(Self.u8).elements(as: UInt8.self) == [255, 0])
    #expect(try NPY.decode(Self.f64).elements(as: Double.self) == [0.1])
  }

  @Test func encodesAsNumpyDoes() throws {
    for file in [Self.f32, Self.i64Scalar, Self.bool, Self.f16, Self.u8, Self.f64] {
      #expect(try NPY.encode(NPY.decode(file)) == file)
    }
  }

  @Test func rejectsWhatItCannotRead() {
    func message(_ bytes: [UInt8]) -> String {
      do {
        _ = try NPY.decode(bytes)
        return "no error"
      } catch { return "\(error)" }
    }
    #expect(message(Self.bigEndian).contains("big-endian"))
    #expect(message(Self.fortran).contains("Fortran"))
    #expect(message(Array(Self.f32.dropLast(4))).contains("needs 24"))
    #expect(message([1, 2, 3]).contains("not a .npy file"))
    var object = Self.f32
    object[22] = UInt8(ascii: "O")  // '<f4' -> '<O4'
    #expect(message(object).contains("unsupported dtype '<O4'"))
  }

  @Test func writesAtomicallyAndReadsBack() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UInt64.random(in: 0...UInt64.max))")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("x.npy").path
    let t = Tensor((0..<70000).map { Int32($0) }, shape: [7, 10000])
    try NPY.write(t, toPath: path)
    let back = try NPY.read(atPath: path)
    #expect(back.isIdentical(to: t))
    #expect(throws: NPY.Error.self) { try NPY.write(Tensor(zeros: .bfloat16, shape: [1]), toPath: path) }
  }
}
