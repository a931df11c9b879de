import TuneTensor

/// `com.microsoft:FusedConv` (onnxruntime's contrib op, which its graph optimizer makes and
/// `InferenceSession`'s `ConvActivationFusion` makes here): `Conv` with an optional sum input
/// `Z` of the output's shape, followed by an activation, in one pass:
/// `Y = activation(Conv(X, W, B) + Z)`.
///
/// Attributes: those of `Conv`, plus `activation` (`Relu`, `Clip`, `LeakyRelu`, or absent
/// for none) and `activation_params` (`[min, max]` for Clip, `[alpha]` for LeakyRelu).
public struct FusedConv: Operator {
  public static let opType = "FusedConv"
  public static var domain: String { "com.microsoft" }
  public var conv: Conv
  public var activation: ConvActivation

  public init(node: Node, opset: Int) throws {
    conv = try Conv(node: node, opset: opset)
    activation = try Self.activation(node, "activation")
  }

  /// The activation named by attribute `attribute` (absent: none), its parameters in
  /// `<attribute>_params`.
  static func activation(_ node: Node, _ attribute: String) throws -> ConvActivation {
    let name = try node.string(attribute, default: "")
    let params = try node.floats(attribute + "_params") ?? []
    switch name {
    case "": return .identity
    case "Relu": return .relu
    case "Clip":
      guard params.count == 2 else { throw OpError("\(attribute) Clip takes \(attribute)_params [min, max], got \(params)") }
      return .clip(params[0], params[1])
    case "LeakyRelu":
      guard params.count <= 1 else { throw OpError("\(attribute) LeakyRelu takes \(attribute)_params [alpha], got \(params)") }
      return .leakyRelu(params.first ?? 0.01)
    default:
      throw OpError("unsupported \(attribute) '\(name)' (expected Relu, Clip or LeakyRelu)")
    }
  }

  public func forward(_ inputs: [Tensor?], context: ExecutionContext) throws -> [Tensor] {
    var sum = inputs.count > 3 ? inputs[3] : nil
    if let z = sum {
      let x = try NeuralSupport.required(inputs, 0, "X")
      let w = try NeuralSupport.required(inputs, 1, "W")
      let g = try conv.geometry(input: x.shape, weight: w.shape)
      let shape = [g.batch, g.outputChannels] + g.window.outputSpatial
      guard z.shape == shape, z.dtype == x.dtype else {
        throw OpError("Z must have the output's shape \(shape) and X's type \(x.dtype), got \(z.shape) \(z.dtype)")
      }
      sum = try NeuralSupport.asFloat(z, "Z")
    }
    let act = activation
    return try NeuralSupport.runConvolution(
      Array(inputs.prefix(3)), geometry: { try conv.geometry(input: $0, weight: $1) },
      outputSpatial: { $0.window.outputSpatial }
    ) { g, x, w, b, y in
      guard let sum else {
        ConvKernel.forward(g, input: x, weight: w, bias: b, output: y, epilogue: ConvEpilogue(activation: act))
        return
      }
      sum.withElements(as: Float.self) { z in
        ConvKernel.forward(
          g, input: x, weight: w, bias: b, output: y, epilogue: ConvEpilogue(sum: z.baseAddress, activation: act))
      }
    }
  }
}
