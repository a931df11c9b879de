import Foundation
import Testing

@testable import TuneData

/// Corrupted files must give an error (or, for JPEG's tolerant decoder, some image), never a
/// crash: every byte of a user's data set is untrusted.
@Suite struct UntrustedInputTests {
  static let images = ["rgb.png", "palette_trns.png", "gray16.png", "interlaced.png", "rgb.jpg", "progressive.jpg", "cmyk.jpg", "exif6.jpg"]

  @Test(arguments: images)
  func corruptedImagesNeverCrash(name: String) throws {
    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.image(name))))
    var g = SeededGenerator(seed: 99)
    var failures = 0
    for round in 0..<150 {
      var bytes = original
      switch round % 3 {
      case 0:  // truncate anywhere
        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &g)))
      case 1:  // flip a few bytes
        for _ in 0..<Int.random(in: 1...4, using: &g) {
          bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
        }
      default:  // overwrite a run with garbage, keeping the signature
        let start = Int.random(in: 8..<bytes.count, using: &g)
        for i in start..<min(bytes.count, start + 16) { bytes[i] = UInt8.random(in: 0...255, using: &g) }
      }
      do {
        let image = try ImageDecoder.decode(data: Data(bytes))
        #expect(image.width > 0 && image.height > 0)
        _ = ImagePreprocessing(height: 5, width: 7).process(image)
      } catch is DataError {
        failures += 1
      }
    }
    #expect(failures > 0)
  }

  @Test func hugeDimensionsAreRefused() throws {
    // A valid PNG header claiming 60000 x 60000 pixels (within libpng's limits, over ours).
    var png = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.image("gray.png"))))
    png.replaceSubrange(16..<24, with: [0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60])
    let crc = crc32(Array(png[12..<29]))  // "IHDR" + 13 data bytes
    png.replaceSubrange(29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)])
    #expect {
      try ImageDecoder.decode(data: Data(png))
    } throws: { error in
      (error as? DataError)?.message.contains("image too large (60000x60000 pixels)") == true
    }
    // A JPEG whose frame header claims 65000 x 65000.
    var jpeg = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.image("rgb.jpg"))))
    let sof = try #require((0..<(jpeg.count - 9)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
    jpeg.replaceSubrange((sof + 5)..<(sof + 9), with: [0xFD, 0xE8, 0xFD, 0xE8])
    #expect {
      try ImageDecoder.decode(data: Data(jpeg))
    } throws: { error in
      (error as? DataError)?.message.contains("image too large") == true
    }
  }

  /// CRC-32 (PNG/zip polynomial), bitwise.
  func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes {
      crc ^= UInt32(b)
      for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    return ~crc
  }

  @Test(arguments: ["stored.npz", "deflated.npz", "x_f32.npy"])
  func corruptedArraysNeverCrash(name: String) throws {
    let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Fixtures.array(name))))
    let directory = try Fixtures.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var g = SeededGenerator(seed: 7)
    for round in 0..<150 {
      var bytes = original
      if round % 2 == 0 {
        bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &g)))
      } else {
        for _ in 0..<Int.random(in: 1...6, using: &g) {
          bytes[Int.random(in: 0..<bytes.count, using: &g)] = UInt8.random(in: 0...255, using: &g)
        }
      }
      let path = directory.appendingPathComponent("\(round)-\(name)").path
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      do {
        if name.hasSuffix(".npz") {
          let data = try TensorDataset(npz: path)
          _ = data.features.floats()
        } else {
          _ = try NumPyArray(path: path).floats()
        }
      } catch is DataError {
      }
    }
  }
}
