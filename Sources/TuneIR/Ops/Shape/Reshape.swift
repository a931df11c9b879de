import TuneTensor

/// ONNX `Reshape`: the same elements with a new shape. In `shape`, 0 copies the input dimension
/// at that position (unless `allowzero` = 1, opset 14, where it means an empty dimension) and
/// one -1 is inferred. Opsets 1–4 took `shape` as an attribute.
/// https://onnx.ai/onnx/operators/onnx__Reshape.html
public struct Reshape: ReshapeGradient {
  public static let opType = "Reshape"
  public var allowZero: Bool
  /// The opset 1–4 attribute; nil from opset 5, where shape is input 1.
  public var shapeAttribute: [Int]?

  public init(node: Node, opset: Int) throws {
    allowZero = try node.int("allowzero", default: 0) != 0
    shapeAttribute = opset < 5 ? try node.ints("shape") : nil
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    let x = try ShapeSupport.input(inputs, 0, "data")
    let requested: [Int]
    if let s = shapeAttribute {
      requested = s
    } else {
      requested = try ShapeSupport.ints(ShapeSupport.input(inputs, 1, "shape"), "shape")
    }
    return [
      x.reshaped(
        try Reshape.outputShape(input: x.shape, requested: requested, allowZero: allowZero))
    ]
  }

  /// The output shape for `requested` (with 0 and -1 resolved) or an error.
  public static func outputShape(input: [Int], requested: [Int], allowZero: Bool) throws -> [Int] {
    var out = requested
    var inferred: Int? = nil
    for (i, d) in requested.enumerated() {
      if d == -1 {
        guard inferred == nil else { throw OpError("shape \(requested) has more than one -1") }
        inferred = i
      } else if d == 0 && !allowZero {
        guard i < input.count else {
          throw OpError(
            "shape \(requested) copies dimension \(i) (0) but the input \(input) has rank \(input.count)"
          )
        }
        out[i] = input[i]
      } else if d < 0 {
        throw OpError("shape \(requested) has a negative dimension \(d)")
      }
    }
    if allowZero && inferred != nil && requested.contains(0) {
      throw OpError("shape \(requested) has both 0 (allowzero) and -1")
    }
    let count = Tensor.elementCount(input)
    if let i = inferred {
      var known = 1
      for (k, d) in out.enumerated() where k != i {
        let (p, overflow) = known.multipliedReportingOverflow(by: d)
        guard !overflow else { throw OpError("cannot reshape \(input) to \(requested)") }
        known = p
      }
      guard known != 0, count % known == 0 else {
        throw OpError("cannot reshape \(input) (\(count) elements) to \(requested)")
      }
      out[i] = count / known
    }
    guard let n = Tensor.checkedElementCount(out.map { Int64($0) }), n == count else {
      throw OpError("cannot reshape \(input) (\(count) elements) to \(requested)")
    }
    return out
  }
}
