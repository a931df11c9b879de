import TuneTensor

/// `Mod`: the remainder of a / b with broadcasting; with `fmod` = 1 it takes the dividend's
/// sign (C `fmod`), otherwise the divisor's (Python `%`). A zero integer divisor gives 0.
/// https://onnx.ai/onnx/operators/onnx__Mod.html
public struct Mod: BinaryArithmeticOperator {
  public static let opType = "Mod"
  public var fmod: Bool
  public init(node: Node, opset: Int) throws {
    let f = try node.int("fmod", default: 0)
    guard f == 0 || f == 1 else { throw OpError("attribute 'fmod' should be 0 or 1, got \(f)") }
    fmod = f == 1
  }
  public func apply<T: NumericScalar>(_ a: T, _ b: T) -> T { T.remainder(a, b, fmod: fmod) }
}
