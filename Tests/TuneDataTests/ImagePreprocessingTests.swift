import Foundation
import Testing

@testable import TuneData

@Suite struct ImagePreprocessingTests {
  /// Antialiased bilinear resizing equals Pillow's BILINEAR on float planes within 1e-3 (on
  /// the 0...255 scale), shrinking, enlarging, identity and mixed.
  @Test(arguments: ["5x4", "7x9", "20x15", "12x9", "3x2"])
  func resizeMatchesPillowFloat(size: String) throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.png"))
    let dims = size.split(separator: "x").map { Int($0)! }
    let out = image.resized(width: dims[0], height: dims[1])
    let entry = (Fixtures.expected["resize_rgb.png"] as! [String: Any])[size] as! [String: Any]
    let values = (entry["values"] as! [NSNumber]).map(\.doubleValue)
    #expect(maxAbsDifference(out.pixels.map { $0 * 255 }, values) < 1e-3)
  }

  /// Against Pillow's 8-bit resize (which rounds between passes): within 1 level.
  @Test func resizeMatchesPillowUInt8WithinOneLevel() throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.png"))
    let out = image.resized(width: 5, height: 4)
    let values = ((Fixtures.expected["resize_rgb.png_uint8_5x4"] as! [String: Any])["values"] as! [NSNumber])
      .map(\.doubleValue)
    #expect(maxAbsDifference(out.pixels.map { $0 * 255 }, values) <= 1.0)
  }

  /// A box resize equals resizing the whole image and cropping the output (what
  /// `.shorterSide` + center crop relies on).
  @Test func boxResizeEqualsResizeThenCrop() throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.jpg"))  // 16x12
    let full = image.resized(width: 8, height: 6)
    let scale = 2.0
    let crop = image.resized(width: 4, height: 4, box: (2 * scale, 1 * scale, 6 * scale, 5 * scale))
    for y in 0..<4 {
      for x in 0..<4 {
        for c in 0..<3 {
          let a = full.pixels[((y + 1) * 8 + x + 2) * 3 + c]
          let b = crop.pixels[(y * 4 + x) * 3 + c]
          #expect(abs(a - b) < 1e-6)
        }
      }
    }
  }

  @Test func normalizationPresets() {
    #expect(ImagePreprocessing.Normalization.imagenet.parameters(channels: 3).mean == [0.485, 0.456, 0.406])
    #expect(ImagePreprocessing.Normalization(name: "[-1,1]") == .minusOneToOne)
    #expect(ImagePreprocessing.Normalization(name: "[0,1]") == .zeroToOne)
    #expect(ImagePreprocessing.Normalization(name: "imagenet") == .imagenet)
    #expect(ImagePreprocessing.Normalization(name: "bogus") == nil)
    // One pixel, values known: 0, 51, 255 → 0, 0.2, 1.
    let image = DecodedImage(width: 1, height: 1, channels: 3, samples: .uint8([0, 51, 255]))
    let cases: [(ImagePreprocessing.Normalization, [Float])] = [
      (.zeroToOne, [0, 0.2, 1]),
      (.minusOneToOne, [-1, -0.6, 1]),
      (.imagenet, [-0.485 / 0.229, (0.2 - 0.456) / 0.224, (1 - 0.406) / 0.225]),
      (.custom(mean: [0.5], std: [0.25]), [-2, -1.2, 2]),
    ]
    for (normalization, expected) in cases {
      let out = ImagePreprocessing(height: 1, width: 1, normalization: normalization).process(image)
      for (a, b) in zip(out, expected) { #expect(abs(a - b) < 1e-5, "\(normalization)") }
    }
  }

  @Test func layoutsAndChannels() throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.png"))  // 12x9
    let nchw = ImagePreprocessing(height: 9, width: 12, layout: .nchw).process(image)
    let nhwc = ImagePreprocessing(height: 9, width: 12, layout: .nhwc).process(image)
    #expect(ImagePreprocessing(height: 9, width: 12, layout: .nchw).sampleShape == [3, 9, 12])
    #expect(ImagePreprocessing(height: 9, width: 12, layout: .nhwc).sampleShape == [9, 12, 3])
    let raw = image.floatSamples()
    for y in 0..<9 {
      for x in 0..<12 {
        for c in 0..<3 {
          #expect(abs(nchw[c * 108 + y * 12 + x] - raw[(y * 12 + x) * 3 + c]) < 1e-6)
          #expect(abs(nhwc[(y * 12 + x) * 3 + c] - raw[(y * 12 + x) * 3 + c]) < 1e-6)
        }
      }
    }
    // One channel from RGB: ITU-R 601-2 luma, as Pillow's convert("L") (which rounds to 8 bits).
    let gray = ImagePreprocessing(height: 9, width: 12, channels: 1).process(image)
    let (_, pillowGray) = Fixtures.expectedImage("gray.png")  // gray.png was made the same way
    #expect(maxAbsDifference(gray.map { $0 * 255 }, pillowGray) <= 0.5 + 1e-3)
    // Three channels from gray: repeated.
    let grayImage = try ImageDecoder.decode(path: Fixtures.image("gray.png"))
    let rgb = ImagePreprocessing(height: 9, width: 12, layout: .nhwc).process(grayImage)
    #expect(rgb[0] == rgb[1] && rgb[1] == rgb[2])
  }

  @Test func shorterSideThenCenterCrop() throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.jpg"))  // 16x12
    let prep = ImagePreprocessing(height: 4, width: 4, resize: .shorterSide(6), layout: .nhwc)
    let box = prep.sourceBox(width: 16, height: 12)
    // 16x12 → 8x6, crop 4x4 at left 2, top 1, in source pixels ×2.
    #expect(box.x0 == 4 && box.y0 == 2 && box.x1 == 12 && box.y1 == 10)
    let out = prep.process(image)
    let full = image.resized(width: 8, height: 6)
    #expect(abs(out[0] - full.pixels[(1 * 8 + 2) * 3]) < 1e-6)
  }

  @Test func minimumDecodeSize() {
    var prep = ImagePreprocessing(height: 224, width: 200, resize: .stretch)
    #expect(prep.minimumDecodeSize(augmentation: nil) == nil)
    prep.fastJPEGDownscaling = true
    #expect(prep.minimumDecodeSize(augmentation: nil)! == (400, 448))
    prep.resize = .shorterSide(256)
    #expect(prep.minimumDecodeSize(augmentation: nil)! == (512, 512))
    #expect(prep.minimumDecodeSize(augmentation: Augmentation(cropScale: 0.25...1))! == (1024, 1024))
    prep.resize = .centerCrop
    #expect(prep.minimumDecodeSize(augmentation: nil) == nil)
  }

  @Test func inputShapeInference() throws {
    let a = try ImagePreprocessing(inputShape: [1, 3, 224, 224])
    #expect(a.layout == .nchw && a.channels == 3 && a.height == 224)
    let b = try ImagePreprocessing(inputShape: [-1, 28, 28, 1])
    #expect(b.layout == .nhwc && b.channels == 1 && b.width == 28)
    #expect(throws: DataError.self) { try ImagePreprocessing(inputShape: [-1, 3, -1, -1]) }
    let c = try ImagePreprocessing(inputShape: [-1, 3, -1, -1], height: 64, width: 48)
    #expect(c.sampleShape == [3, 64, 48])
    #expect(throws: DataError.self) { try ImagePreprocessing(inputShape: [1, 784]) }
  }
}
