/// Metrics of one epoch.
public struct EpochRecord: Sendable, Equatable {
  public var epoch: Int
  public var loss: Double
  public var accuracy: Double
  public var validationLoss: Double?
  public var validationAccuracy: Double?
  public var validationTopK: Double?
  public var learningRate: Double
  public var seconds: Double
  public var examplesPerSecond: Double

  public init(
    epoch: Int, loss: Double, accuracy: Double, validationLoss: Double? = nil, validationAccuracy: Double? = nil,
    validationTopK: Double? = nil, learningRate: Double, seconds: Double, examplesPerSecond: Double
  ) {
    self.epoch = epoch
    self.loss = loss
    self.accuracy = accuracy
    self.validationLoss = validationLoss
    self.validationAccuracy = validationAccuracy
    self.validationTopK = validationTopK
    self.learningRate = learningRate
    self.seconds = seconds
    self.examplesPerSecond = examplesPerSecond
  }
}

/// The training history, one record per epoch, writable as CSV and JSON.
public struct History: Sendable, Equatable {
  public var epochs: [EpochRecord] = []
  /// Top-k used for `validationTopK`.
  public var topK: Int
  public init(topK: Int = 5) { self.topK = topK }

  static func format(_ v: Double?) -> String {
    guard let v else { return "" }
    return v.isFinite ? String(v) : "nan"
  }

  /// `epoch,loss,accuracy,val_loss,val_accuracy,val_top<k>,lr,seconds,examples_per_second`.
  public func csv() -> String {
    var s = "epoch,loss,accuracy,val_loss,val_accuracy,val_top\(topK),learning_rate,seconds,examples_per_second\n"
    for e in epochs {
      s += [
        String(e.epoch), Self.format(e.loss), Self.format(e.accuracy), Self.format(e.validationLoss),
        Self.format(e.validationAccuracy), Self.format(e.validationTopK), Self.format(e.learningRate),
        Self.format(e.seconds), Self.format(e.examplesPerSecond),
      ].joined(separator: ",") + "\n"
    }
    return s
  }

  /// A JSON array of epoch objects (null where a metric is absent).
  public func json() -> String {
    func v(_ x: Double?) -> String {
      guard let x, x.isFinite else { return "null" }
      return String(x)
    }
    let rows = epochs.map { e in
      "  {\"epoch\": \(e.epoch), \"loss\": \(v(e.loss)), \"accuracy\": \(v(e.accuracy)), \"val_loss\": \(v(e.validationLoss)), "
        + "\"val_accuracy\": \(v(e.validationAccuracy)), \"val_top\(topK)\": \(v(e.validationTopK)), "
        + "\"learning_rate\": \(v(e.learningRate)), \"seconds\": \(v(e.seconds)), \"examples_per_second\": \(v(e.examplesPerSecond))}"
    }
    return "[\n" + rows.joined(separator: ",\n") + "\n]\n"
  }

  /// Parses `json()` output back (for resuming).
  static func parse(_ text: String, topK: Int) -> History {
    var h = History(topK: topK)
    for line in text.split(separator: "\n") where line.contains("\"epoch\"") {
      var fields: [String: Double?] = [:]
      let body = line.trimmingCharacters(in: CharacterSet(charactersIn: " {},"))
      for part in body.split(separator: ",") {
        let kv = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"")) }
        if kv.count == 2 { fields[kv[0]] = Double(kv[1]) }
      }
      func f(_ k: String) -> Double? { fields[k] ?? nil }
      h.epochs.append(
        EpochRecord(
          epoch: Int(f("epoch") ?? 0), loss: f("loss") ?? .nan, accuracy: f("accuracy") ?? .nan,
          validationLoss: f("val_loss"), validationAccuracy: f("val_accuracy"), validationTopK: f("val_top\(topK)"),
          learningRate: f("learning_rate") ?? 0, seconds: f("seconds") ?? 0, examplesPerSecond: f("examples_per_second") ?? 0))
    }
    return h
  }
}

import Foundation
