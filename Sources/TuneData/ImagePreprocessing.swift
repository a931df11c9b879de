import Foundation

/// Turns a decoded image into the float tensor a model's input expects: resize, optional
/// center crop, scale to 0...1, per-channel normalization, 1 or 3 channels, NCHW or NHWC.
///
/// With ``Resize/stretch`` (Keras' `image_dataset_from_directory` default) the whole image is
/// resized to `height` × `width`; with ``Resize/shorterSide(_:)`` it is resized, keeping its
/// aspect ratio, so that its shorter side has that length and the central `height` × `width`
/// is kept (torchvision's `Resize(256)` + `CenterCrop(224)`). Resizing is antialiased bilinear
/// (Pillow's `BILINEAR`), computed only over the cropped region.
///
/// ```swift
/// let prep = ImagePreprocessing(height: 224, width: 224, resize: .shorterSide(256),
///                               normalization: .imagenet, layout: .nchw, channels: 3)
/// let sample = try prep.process(ImageDecoder.decode(path: "cat.jpg"))   // [3, 224, 224]
/// ```
public struct ImagePreprocessing: Sendable, Equatable {
  /// How an image is brought to the output size.
  public enum Resize: Sendable, Equatable {
    /// Resize the whole image to the output size (aspect ratio not kept).
    case stretch
    /// Resize so the shorter side has this length (aspect kept), then center-crop.
    case shorterSide(Int)
    /// No resizing: center-crop the output size (edges repeat if the image is smaller).
    case centerCrop
  }

  /// Per-channel `(x - mean) / std` applied to values scaled to 0...1.
  public enum Normalization: Sendable, Equatable {
    /// Values stay in 0...1.
    case zeroToOne
    /// `2x - 1`: values in -1...1 (Inception, MobileNet in Keras).
    case minusOneToOne
    /// ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225); for one channel
    /// their averages.
    case imagenet
    /// Your own mean and std, one value or one per channel.
    case custom(mean: [Float], std: [Float])

    /// Mean and std for `channels` channels.
    public func parameters(channels: Int) -> (mean: [Float], std: [Float]) {
      switch self {
      case .zeroToOne: return (Array(repeating: 0, count: channels), Array(repeating: 1, count: channels))
      case .minusOneToOne:
        return (Array(repeating: 0.5, count: channels), Array(repeating: 0.5, count: channels))
      case .imagenet:
        return channels == 3
          ? ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]) : ([0.449], [0.226])
      case .custom(let mean, let std):
        return (
          mean.count == 1 ? Array(repeating: mean[0], count: channels) : mean,
          std.count == 1 ? Array(repeating: std[0], count: channels) : std
        )
      }
    }

    /// Parses `imagenet`, `[-1,1]` (or `minus-one-to-one`), `[0,1]` (or `zero-to-one`).
    public init?(name: String) {
      switch name.lowercased().replacingOccurrences(of: " ", with: "") {
      case "imagenet": self = .imagenet
      case "[-1,1]", "-1,1", "minus-one-to-one", "minusonetoone", "tf", "inception": self = .minusOneToOne
      case "[0,1]", "0,1", "zero-to-one", "zerotoone", "none": self = .zeroToOne
      default: return nil
      }
    }
  }

  /// Where the channel axis goes in one sample: `[C, H, W]` or `[H, W, C]`.
  public enum Layout: String, Sendable, Equatable {
    case nchw, nhwc
  }

  public var height: Int
  public var width: Int
  public var resize: Resize
  public var normalization: Normalization
  public var layout: Layout
  /// 1 (gray) or 3 (RGB).
  public var channels: Int
  /// Let libjpeg-turbo decode large JPEGs at 1/2, 1/4 or 1/8 size in the DCT domain while they
  /// stay at least twice the size the resize needs (Pillow's `draft` with `reducing_gap=2`).
  /// Much faster on photos several times the model's input size; values then differ slightly
  /// from an exact full-size resize. Off by default.
  public var fastJPEGDownscaling: Bool = false

  /// - Parameters:
  ///   - height, width: the output size.
  ///   - resize: how the image reaches that size (default ``Resize/stretch``).
  ///   - normalization: per-channel mean/std (default ``Normalization/zeroToOne``).
  ///   - layout: NCHW (PyTorch exports) or NHWC (TensorFlow exports).
  ///   - channels: 1 or 3.
  public init(
    height: Int, width: Int, resize: Resize = .stretch, normalization: Normalization = .zeroToOne,
    layout: Layout = .nchw, channels: Int = 3
  ) {
    self.height = height
    self.width = width
    self.resize = resize
    self.normalization = normalization
    self.layout = layout
    self.channels = channels
  }

  /// Reads size, layout and channel count from a model's image input shape
  /// (`[N, C, H, W]` or `[N, H, W, C]`, dynamic dimensions ≤ 0), with explicit overrides for
  /// what the shape does not fix. Throws when the shape is not an image input and no size is given.
  public init(
    inputShape: [Int], height: Int? = nil, width: Int? = nil, layout: Layout? = nil,
    channels: Int? = nil, resize: Resize = .stretch, normalization: Normalization = .zeroToOne
  ) throws {
    guard inputShape.count == 4 else {
      throw DataError("model input has shape \(inputShape); an image input needs rank 4 (NCHW or NHWC)")
    }
    let isChannel = { (d: Int) in d == 1 || d == 3 }
    let inferred: Layout =
      layout ?? (isChannel(inputShape[1]) ? .nchw : isChannel(inputShape[3]) ? .nhwc : .nchw)
    let (c, h, w) =
      inferred == .nchw
      ? (inputShape[1], inputShape[2], inputShape[3]) : (inputShape[3], inputShape[1], inputShape[2])
    let outHeight = height ?? (h > 0 ? h : nil)
    let outWidth = width ?? (w > 0 ? w : nil)
    guard let outHeight, let outWidth else {
      throw DataError("model input \(inputShape) has a dynamic image size; give the size to resize to")
    }
    let outChannels = channels ?? (c > 0 ? c : 3)
    guard outChannels == 1 || outChannels == 3 else {
      throw DataError("model input \(inputShape) wants \(outChannels) channels; images give 1 or 3")
    }
    self.init(
      height: outHeight, width: outWidth, resize: resize, normalization: normalization,
      layout: inferred, channels: outChannels)
  }

  /// The shape of one processed sample: `[C, H, W]` or `[H, W, C]`.
  public var sampleShape: [Int] { layout == .nchw ? [channels, height, width] : [height, width, channels] }

  /// Checks the settings; throws ``DataError`` naming the bad one.
  public func validate() throws {
    guard height > 0, width > 0 else { throw DataError("image size must be positive, got \(height)x\(width)") }
    guard channels == 1 || channels == 3 else { throw DataError("channels must be 1 or 3, got \(channels)") }
    if case .shorterSide(let side) = resize, side < max(height, width) {
      throw DataError("resize shorter side \(side) is smaller than the crop \(height)x\(width)")
    }
    let (mean, std) = normalization.parameters(channels: channels)
    guard mean.count == channels, std.count == channels else {
      throw DataError("normalization has \(mean.count) means and \(std.count) stds for \(channels) channels")
    }
    guard std.allSatisfy({ $0 != 0 }) else { throw DataError("normalization std must not be 0") }
  }

  /// The smallest upright size a JPEG may be decoded at (with ``fastJPEGDownscaling``), or nil
  /// for full size: twice what the resize needs, and more when a random crop may zoom in.
  public func minimumDecodeSize(augmentation: Augmentation?) -> (width: Int, height: Int)? {
    guard fastJPEGDownscaling else { return nil }
    var zoom = 2.0
    if let scale = augmentation?.cropScale { zoom /= max(scale.lowerBound, 0.01).squareRoot() }
    switch resize {
    case .stretch: return (Int((Double(width) * zoom).rounded(.up)), Int((Double(height) * zoom).rounded(.up)))
    case .shorterSide(let side):
      let s = Int((Double(side) * zoom).rounded(.up))
      return (s, s)
    case .centerCrop: return nil
    }
  }

  /// The source box `(x0, y0, x1, y1)` that maps onto the output, for an image of this size.
  public func sourceBox(width w: Int, height h: Int) -> (x0: Double, y0: Double, x1: Double, y1: Double) {
    switch resize {
    case .stretch:
      return (0, 0, Double(w), Double(h))
    case .shorterSide(let side):
      // torchvision: the shorter side becomes `side`, the longer int(side * long / short).
      let (rw, rh): (Int, Int) =
        w <= h ? (side, Int(Double(side) * Double(h) / Double(w))) : (Int(Double(side) * Double(w) / Double(h)), side)
      let left = ((Double(rw - width)) / 2).rounded(.toNearestOrEven)
      let top = ((Double(rh - height)) / 2).rounded(.toNearestOrEven)
      let sx = Double(w) / Double(rw)
      let sy = Double(h) / Double(rh)
      return (left * sx, top * sy, (left + Double(width)) * sx, (top + Double(height)) * sy)
    case .centerCrop:
      let left = ((Double(w - width)) / 2).rounded(.toNearestOrEven)
      let top = ((Double(h - height)) / 2).rounded(.toNearestOrEven)
      return (left, top, left + Double(width), top + Double(height))
    }
  }

  /// Resizes/crops, converts channels and (with `augmentation`) applies random transforms:
  /// the float HWC image before normalization, values in 0...1.
  public func prepare<G: RandomNumberGenerator>(
    _ image: DecodedImage, augmentation: Augmentation?, using generator: inout G
  ) -> FloatImage {
    var box = sourceBox(width: image.width, height: image.height)
    if let augmentation, let crop = augmentation.randomResizedCrop(
      width: image.width, height: image.height, using: &generator)
    {
      box = crop
    }
    var resized = image.resized(width: width, height: height, box: box)
    if resized.channels != channels {
      resized = FloatImage(
        width: width, height: height, channels: channels,
        pixels: ChannelMap(from: resized.channels, to: channels).apply(resized.pixels, pixelCount: width * height))
    }
    if let augmentation { augmentation.apply(to: &resized, using: &generator) }
    return resized
  }

  /// Processes an image without augmentation into a new array of `sampleShape`.
  public func process(_ image: DecodedImage) -> [Float] {
    var generator = SeededGenerator(seed: 0)
    let prepared = prepare(image, augmentation: nil, using: &generator)
    var out = [Float](repeating: 0, count: prepared.pixels.count)
    out.withUnsafeMutableBufferPointer { write(prepared, into: $0) }
    return out
  }

  /// Normalizes a prepared image (`channels` channels, output size) and writes it in `layout`.
  public func write(_ image: FloatImage, into destination: UnsafeMutableBufferPointer<Float>) {
    precondition(image.channels == channels && image.width == width && image.height == height)
    precondition(destination.count >= image.pixels.count)
    let (mean, std) = normalization.parameters(channels: channels)
    let inverse = std.map { 1 / $0 }
    let plane = width * height
    image.pixels.withUnsafeBufferPointer { p in
      if layout == .nhwc {
        for i in 0..<plane {
          for c in 0..<channels { destination[i * channels + c] = (p[i * channels + c] - mean[c]) * inverse[c] }
        }
      } else {
        for c in 0..<channels {
          let m = mean[c]
          let s = inverse[c]
          let base = c * plane
          for i in 0..<plane { destination[base + i] = (p[i * channels + c] - m) * s }
        }
      }
    }
  }
}
