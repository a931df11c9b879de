import Testing
import TuneIR
import TuneTensor

// Generated from the ONNX reference implementation (onnx 1.22.0) and hard-coded here.

/// NegativeLogLikelihoodLoss mean_weight_ignore (opset 13); expected values from the ONNX reference implementation.
@Test func negativeLogLikelihoodLossMeanWeightIgnore() throws {
  let y = try runOp1(
    "NegativeLogLikelihoodLoss",
    [
      Tensor([-2.77048397064209, -2.0325000286102295, -0.24519109725952148, -1.3658990859985352, 1.5447779893875122, 0.47757628560066223, 0.3356683552265167, 0.9228057861328125, -0.9497085809707642, -2.5753891468048096, -2.922708034515381, -2.200256109237671] as [Float], shape: [3, 4]),
      Tensor([0, 3, 1] as [Int64], shape: [3]),
      Tensor([0.5, 1.0, 2.0, 1.5] as [Float], shape: [4])
    ], attributes: [.int("ignore_index", 1)], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [0.0005166530609130859], shape: [], tolerance: 1e-5)
}

/// NegativeLogLikelihoodLoss none_NCd (opset 13); expected values from the ONNX reference implementation.
@Test func negativeLogLikelihoodLossNoneNCd() throws {
  let y = try runOp1(
    "NegativeLogLikelihoodLoss",
    [
      Tensor([-0.10260789841413498, -1.9397088289260864, -0.16730712354183197, -1.3483102321624756, -0.9214391112327576, 1.169762372970581, -1.2637311220169067, 0.4685153365135193, -0.37475091218948364, -0.3296177089214325, 1.2673816680908203, -1.3563401699066162] as [Float], shape: [2, 3, 2]),
      Tensor([0, 2, 1, 1] as [Int64], shape: [2, 2])
    ], attributes: [.string("reduction", "none")], opset: 13)
  #expect(y.dtype == .float)
  expectClose(y, [0.10260789841413498, -1.169762372970581, 0.37475091218948364, 0.3296177089214325], shape: [2, 2], tolerance: 1e-5)
}
