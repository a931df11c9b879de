import TuneTensor

/// `ReduceLogSumExp`: y = ln Σ e^x over `axes`, computed as m + ln Σ e^(x - m) with m the
/// maximum (so large inputs do not overflow). `axes` is an attribute before opset 18 and the
/// optional second input from 18.
/// https://onnx.ai/onnx/operators/onnx__ReduceLogSumExp.html
public struct ReduceLogSumExp: ReduceOperator {
  public static let opType = "ReduceLogSumExp"
  public var axes: ReduceAxes
  public init(node: Node, opset: Int) throws {
    axes = try ReduceAxes(node: node, opset: opset, axesInputSince: 18)
  }
  public func initial<T: NumericScalar>(_ type: T.Type) -> T { T.zero }
  public func combine<T: NumericScalar>(_ a: T, _ e: T) -> T { T.add(a, e) }

  public func reduce(_ x: Tensor, _ mask: [Bool]) throws -> Tensor {
    switch x.dtype {
    case .float: return logSumExp(x, mask, as: Float.self)
    case .double: return logSumExp(x, mask, as: Double.self)
    default:
      guard x.dtype.isHalfPrecision || x.dtype.numericScalarType != nil else {
        throw MathSupport.unsupported(x.dtype)
      }
      return logSumExp(x.converted(to: .double), mask, as: Double.self).converted(to: x.dtype)
    }
  }

  func logSumExp<T: FloatScalar>(_ x: Tensor, _ mask: [Bool], as type: T.Type) -> Tensor {
    var m = Elementwise.reduce(x, as: T.self, reduced: mask, initial: -T.infinity) { a, e, _ in
      T.maximum(a, e)
    }
    // An all -inf (or empty) slice has max -inf: shift by 0 instead to get ln 0 = -inf.
    m.withMutableElements(as: T.self) { p in
      for i in p.indices where !p[i].isFinite && !p[i].isNaN { p[i] = 0 }
    }
    var y = Elementwise.reduce(x, as: T.self, reduced: mask, initial: 0, reference: m) { a, e, r in
      a + T.exp(e - r)
    }
    m.withElements(as: T.self) { shift in
      y.withMutableElements(as: T.self) { p in
        for i in p.indices { p[i] = T.log(p[i]) + shift[i] }
      }
    }
    return y
  }
}
