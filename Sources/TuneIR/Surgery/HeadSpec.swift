/// A new classifier head, written as comma-separated layers:
///
/// ```
/// dense:256:relu,dropout:0.3,batchnorm,dense:CLASSES
/// globalavgpool,flatten,dense:CLASSES
/// ```
///
/// Items:
/// - `dense:N[:ACT]` — a fully connected layer (`Gemm`) with `N` outputs (a positive number or
///   `CLASSES`) and an optional activation `relu`, `gelu`, `tanh`, `sigmoid` or `none` (default).
/// - `dropout:P` — `Dropout` with ratio `0 <= P < 1`.
/// - `batchnorm` — `BatchNormalization` over the features (epsilon 1e-5, momentum 0.9).
/// - `globalavgpool`, `flatten` — for a 4-D feature tensor (`GlobalAveragePool`, `Flatten`).
/// - `relu`, `gelu`, `tanh`, `sigmoid` — a standalone activation.
public struct HeadSpec: Equatable, Sendable, CustomStringConvertible {
  public enum Activation: String, Sendable, CaseIterable {
    case relu, gelu, tanh, sigmoid, none
    /// He initialization suits the ReLU family; Glorot the others.
    var isReLUFamily: Bool { self == .relu || self == .gelu }
  }
  public enum Width: Equatable, Sendable {
    case fixed(Int)
    case classes
  }
  public enum Layer: Equatable, Sendable {
    case dense(Width, Activation)
    case dropout(Float)
    case batchNorm
    case globalAveragePool
    case flatten
    case activation(Activation)
  }

  public var layers: [Layer]

  public init(layers: [Layer]) { self.layers = layers }

  /// One dense layer to the number of classes: the plain Keras replacement head.
  public static let standard = HeadSpec(layers: [.dense(.classes, .none)])

  /// Parses a spec string; errors name the bad item and its position.
  public init(parsing text: String) throws {
    var layers: [Layer] = []
    let items = text.split(separator: ",", omittingEmptySubsequences: false).map {
      $0.trimmingCharacters(in: .whitespaces)
    }
    for (index, item) in items.enumerated() {
      func fail(_ why: String) -> SurgeryError {
        SurgeryError("head spec item \(index + 1) '\(item)': \(why)")
      }
      let parts = item.split(separator: ":", omittingEmptySubsequences: false).map { String($0).lowercased() }
      switch parts[0] {
      case "dense":
        guard parts.count == 2 || parts.count == 3 else { throw fail("expected dense:N or dense:N:ACTIVATION") }
        let width: Width
        if parts[1] == "classes" {
          width = .classes
        } else if let n = Int(parts[1]), n > 0, n <= 1 << 20 {
          width = .fixed(n)
        } else {
          throw fail("the width must be a positive whole number or CLASSES")
        }
        var act = Activation.none
        if parts.count == 3 {
          guard let a = Activation(rawValue: parts[2]) else {
            throw fail("unknown activation '\(parts[2])' (expected \(Activation.allCases.map(\.rawValue).joined(separator: ", ")))")
          }
          act = a
        }
        layers.append(.dense(width, act))
      case "dropout":
        guard parts.count == 2, let p = Float(parts[1]), p >= 0, p < 1 else {
          throw fail("expected dropout:P with 0 <= P < 1")
        }
        layers.append(.dropout(p))
      case "batchnorm", "bn":
        guard parts.count == 1 else { throw fail("batchnorm takes no arguments") }
        layers.append(.batchNorm)
      case "globalavgpool", "gap":
        guard parts.count == 1 else { throw fail("globalavgpool takes no arguments") }
        layers.append(.globalAveragePool)
      case "flatten":
        guard parts.count == 1 else { throw fail("flatten takes no arguments") }
        layers.append(.flatten)
      case "relu", "gelu", "tanh", "sigmoid":
        guard parts.count == 1 else { throw fail("an activation takes no arguments") }
        layers.append(.activation(Activation(rawValue: parts[0])!))
      case "":
        throw fail("empty item")
      default:
        throw fail("unknown layer (expected dense, dropout, batchnorm, globalavgpool, flatten, relu, gelu, tanh, sigmoid)")
      }
    }
    guard layers.contains(where: { if case .dense = $0 { return true } else { return false } }) else {
      throw SurgeryError("head spec '\(text)' has no dense layer")
    }
    self.layers = layers
  }

  public var description: String {
    layers.map { l -> String in
      switch l {
      case .dense(let w, let a):
        let ws: String
        switch w {
        case .fixed(let n): ws = String(n)
        case .classes: ws = "CLASSES"
        }
        return a == .none ? "dense:\(ws)" : "dense:\(ws):\(a.rawValue)"
      case .dropout(let p): return "dropout:\(p)"
      case .batchNorm: return "batchnorm"
      case .globalAveragePool: return "globalavgpool"
      case .flatten: return "flatten"
      case .activation(let a): return a.rawValue
      }
    }.joined(separator: ",")
  }
}
