import Foundation
import Testing

@testable import TuneData

@Suite struct ImageDecoderTests {
  /// PNGs decode exactly to Pillow's values (palette expanded, tRNS → alpha, 16-bit kept).
  @Test(arguments: [
    "gray.png", "rgb.png", "rgba.png", "palette.png", "palette_trns.png", "gray_alpha.png", "bilevel.png",
    "gray16.png", "rgb16.png", "interlaced.png", "exif8.png",
  ])
  func pngMatchesPillow(name: String) throws {
    let image = try ImageDecoder.decode(path: Fixtures.image(name))
    let (shape, values) = Fixtures.expectedImage(name)
    #expect([image.height, image.width, image.channels] == shape)
    let raw = image.floatSamples(normalized: false)
    #expect(maxAbsDifference(raw, values) == 0)
    if name.contains("16") {
      guard case .uint16 = image.samples else {
        Issue.record("\(name) should keep 16-bit samples")
        return
      }
    }
  }

  /// JPEGs: same libjpeg-turbo family as Pillow's wheel but another build; at most 2 levels
  /// apart (observed: identical), EXIF orientation applied (6 and 8 swap width and height).
  @Test(arguments: ["rgb.jpg", "gray.jpg", "exif6.jpg", "exif3.jpg", "exif8.jpg", "cmyk.jpg", "progressive.jpg", "exif6_bigendian.jpg",
  ])
  func jpegMatchesPillow(name: String) throws {
    let image = try ImageDecoder.decode(path: Fixtures.image(name))
    let (shape, values) = Fixtures.expectedImage(name)
    #expect([image.height, image.width, image.channels] == shape)
    #expect(maxAbsDifference(image.floatSamples(normalized: false), values) <= 2)
  }

  @Test func exifOrientationIsRead() throws {
    for (name, orientation) in [("rgb.jpg", 1), ("exif6.jpg", 6), ("exif3.jpg", 3), ("exif8.jpg", 8), ("exif6_bigendian.jpg", 6), ("exif8.png", 8), ("rgb.png", 1)] {
      let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.image(name)))
      #expect(ImageDecoder.exifOrientation(data: data) == orientation, "\(name)")
    }
    // Without applying it, exif6.jpg is the stored (landscape) image.
    let stored = try ImageDecoder.decode(path: Fixtures.image("exif6.jpg"), applyOrientation: false)
    #expect(stored.width == 16 && stored.height == 12)
  }

  /// DCT-domain downscaling equals Pillow's `draft` (same libjpeg scaling).
  @Test func jpegDraftMatchesPillow() throws {
    let image = try ImageDecoder.decode(path: Fixtures.image("rgb.jpg"), minimumSize: (4, 3))
    let (shape, values) = Fixtures.expectedImage("rgb.jpg_draft_4x3")
    #expect([image.height, image.width, image.channels] == shape)
    #expect(maxAbsDifference(image.floatSamples(normalized: false), values) <= 2)
    // 16x12 stored: 1/2 still covers 8x6, 1/4 would not cover 5x4.
    let half = try ImageDecoder.decode(path: Fixtures.image("rgb.jpg"), minimumSize: (5, 4))
    #expect(half.width == 8 && half.height == 6)
    // Upright size is what counts: exif6 displays 12x16, so (3, 4) allows 1/4.
    let rotated = try ImageDecoder.decode(path: Fixtures.image("exif6.jpg"), minimumSize: (3, 4))
    #expect(rotated.width == 3 && rotated.height == 4)
    // PNGs ignore it.
    let png = try ImageDecoder.decode(path: Fixtures.image("rgb.png"), minimumSize: (1, 1))
    #expect(png.width == 12)
  }

  @Test(arguments: ["truncated.png", "truncated.jpg", "not-an-image.jpg", "missing.png"])
  func badFilesThrowBadSampleError(name: String) {
    do {
      _ = try ImageDecoder.decode(path: Fixtures.image(name))
      Issue.record("\(name) decoded")
    } catch let error as BadSampleError {
      #expect(error.path.hasSuffix(name))
      #expect(!error.reason.isEmpty)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func orientationTableMatchesDefinitions() {
    // 2x3 image, values = index; orientation 6 (rotate 90° clockwise to display).
    let image = DecodedImage(width: 3, height: 2, channels: 1, samples: .uint8([0, 1, 2, 3, 4, 5]))
    // 0 1 2      rotated clockwise:  3 0
    // 3 4 5                          4 1
    //                                5 2
    #expect(image.oriented(6).samples == .uint8([3, 0, 4, 1, 5, 2]))
    #expect(image.oriented(8).samples == .uint8([2, 5, 1, 4, 0, 3]))
    #expect(image.oriented(3).samples == .uint8([5, 4, 3, 2, 1, 0]))
    #expect(image.oriented(2).samples == .uint8([2, 1, 0, 5, 4, 3]))
    #expect(image.oriented(4).samples == .uint8([3, 4, 5, 0, 1, 2]))
    #expect(image.oriented(5).samples == .uint8([0, 3, 1, 4, 2, 5]))
    #expect(image.oriented(7).samples == .uint8([5, 2, 4, 1, 3, 0]))
  }
}
