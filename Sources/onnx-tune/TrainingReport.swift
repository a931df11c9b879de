import Foundation
import TuneTrain

/// A self-contained HTML report of a fine-tuning run: loss and accuracy curves (inline SVG),
/// the confusion matrix and per-class accuracy on the validation set, the plan and the timing.
/// No scripts, fonts or images from elsewhere.
struct TrainingReport {
  var title: String
  var plan: [(String, String)]
  var history: History
  var classNames: [String]
  /// Rows: true class, columns: predicted (validation set), if there was one.
  var confusion: [[Int]]?
  var accuracyBefore: Double?
  var accuracyAfter: Double?
  var seconds: Double

  func html() -> String {
    var s = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
      <style>
      body { font-family: sans-serif; margin: 2em; color: #222; max-width: 960px }
      table { border-collapse: collapse; margin: 1em 0 } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right }
      th { background: #f3f3f3 } td.l, th.l { text-align: left } .chart { display: inline-block; margin-right: 1em }
      </style></head><body>
      <h1>\(escape(title))</h1>

      """
    if let before = accuracyBefore, let after = accuracyAfter {
      s += String(format: "<p>Validation accuracy: <b>%.4f</b> after training (%.4f with the new head untrained).</p>\n", after, before)
    }
    s += String(format: "<p>Total time: %.1f s.</p>\n", seconds)
    s += "<h2>Plan</h2><table>\n"
    for (k, v) in plan { s += "<tr><th class=l>\(escape(k))</th><td class=l>\(escape(v))</td></tr>\n" }
    s += "</table>\n<h2>Training</h2>\n"
    let epochs = history.epochs
    s += chart(
      "Loss", [("train", "#1f77b4", epochs.map(\.loss)), ("validation", "#d62728", epochs.map { $0.validationLoss ?? .nan })])
    s += chart(
      "Accuracy",
      [("train", "#1f77b4", epochs.map(\.accuracy)), ("validation", "#d62728", epochs.map { $0.validationAccuracy ?? .nan })])
    s += "<table><tr><th>epoch</th><th>loss</th><th>accuracy</th><th>val loss</th><th>val accuracy</th><th>learning rate</th><th>seconds</th></tr>\n"
    for e in epochs {
      s += "<tr><td>\(e.epoch)</td><td>\(f(e.loss))</td><td>\(f(e.accuracy))</td><td>\(f(e.validationLoss))</td>"
        + "<td>\(f(e.validationAccuracy))</td><td>\(String(format: "%.3g", e.learningRate))</td><td>\(String(format: "%.1f", e.seconds))</td></tr>\n"
    }
    s += "</table>\n"
    if let confusion {
      s += "<h2>Validation set</h2><h3>Per-class accuracy</h3><table><tr><th class=l>class</th><th>accuracy</th><th>samples</th></tr>\n"
      for (i, row) in confusion.enumerated() {
        let n = row.reduce(0, +)
        s += "<tr><td class=l>\(escape(classNames[i]))</td><td>\(n == 0 ? "–" : f(Double(row[i]) / Double(n)))</td><td>\(n)</td></tr>\n"
      }
      s += "</table>\n<h3>Confusion matrix</h3><p>Rows: true class; columns: predicted.</p><table><tr><th></th>"
      for c in classNames { s += "<th>\(escape(c))</th>" }
      s += "</tr>\n"
      let peak = max(confusion.joined().max() ?? 1, 1)
      for (i, row) in confusion.enumerated() {
        s += "<tr><th class=l>\(escape(classNames[i]))</th>"
        for v in row {
          let shade = 255 - Int(Double(v) / Double(peak) * 150)
          s += "<td style=\"background: rgb(\(shade),\(shade),255)\">\(v)</td>"
        }
        s += "</tr>\n"
      }
      s += "</table>\n"
    }
    s += "<p style=\"color:#888\">Written by onnx-tune.</p></body></html>\n"
    return s
  }

  func f(_ v: Double?) -> String {
    guard let v, v.isFinite else { return "–" }
    return String(format: "%.4f", v)
  }

  func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// A line chart of series over epochs, as inline SVG.
  func chart(_ title: String, _ series: [(String, String, [Double])]) -> String {
    let width = 420.0
    let height = 240.0
    let left = 50.0
    let bottom = 30.0
    let top = 25.0
    let values = series.flatMap(\.2).filter(\.isFinite)
    guard let lo0 = values.min(), let hi0 = values.max(), let count = series.first?.2.count, count > 0 else { return "" }
    let lo = min(lo0, 0)
    let hi = hi0 == lo ? lo + 1 : hi0
    func x(_ i: Int) -> Double { left + (width - left - 10) * (count == 1 ? 0.5 : Double(i) / Double(count - 1)) }
    func y(_ v: Double) -> Double { top + (height - top - bottom) * (1 - (v - lo) / (hi - lo)) }
    var s = "<svg class=chart width=\"\(Int(width))\" height=\"\(Int(height))\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    s += "<text x=\"\(left)\" y=\"16\" font-size=\"14\">\(escape(title))</text>\n"
    s += "<line x1=\"\(left)\" y1=\"\(y(lo))\" x2=\"\(width - 10)\" y2=\"\(y(lo))\" stroke=\"#999\"/>"
    s += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(y(lo))\" stroke=\"#999\"/>\n"
    for t in 0...4 {
      let v = lo + (hi - lo) * Double(t) / 4
      s += "<text x=\"\(left - 4)\" y=\"\(y(v) + 4)\" font-size=\"10\" text-anchor=\"end\">\(String(format: "%.3g", v))</text>\n"
    }
    s += "<text x=\"\((left + width) / 2)\" y=\"\(height - 6)\" font-size=\"10\" text-anchor=\"middle\">epoch 1–\(count)</text>\n"
    for (k, (name, color, data)) in series.enumerated() {
      let points = data.enumerated().filter { $0.element.isFinite }.map { "\(x($0.offset)),\(y($0.element))" }
      guard !points.isEmpty else { continue }
      s += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>\n"
      s += "<text x=\"\(width - 90)\" y=\"\(top + 14 * Double(k + 1))\" font-size=\"11\" fill=\"\(color)\">\(escape(name))</text>\n"
    }
    return s + "</svg>\n"
  }
}
