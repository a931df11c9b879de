import Foundation
import TuneTrain

/// Renders `TrainingEvent`s: on a terminal, one progress bar per epoch redrawn in place
/// (batch n/N, loss, accuracy, examples/s, ETA); otherwise plain lines, one per epoch.
final class ProgressBar {
  let epochs: Int
  let interactive: Bool
  private var lastDraw = Date.distantPast

  init(epochs: Int, interactive: Bool = isatty(STDOUT_FILENO) != 0) {
    self.epochs = epochs
    self.interactive = interactive
  }

  func handle(_ event: TrainingEvent) {
    switch event {
    case .batch(let epoch, let batch, let batches, let loss, let accuracy, let rate):
      guard interactive else { return }
      let now = Date()
      if batch < batches && now.timeIntervalSince(lastDraw) < 0.1 { return }
      lastDraw = now
      let width = 24
      let filled = batches > 0 ? width * batch / batches : width
      let bar = String(repeating: "=", count: max(filled - 1, 0)) + (filled > 0 ? (batch == batches ? "=" : ">") : "")
        + String(repeating: " ", count: width - filled)
      let remaining = rate > 0 ? Double(batches - batch) / Double(max(batch, 1)) * (Double(batch) / max(rate, 1e-9)) : 0
      let line = String(
        format: "Epoch %d/%d [%@] %d/%d  loss %.4f  acc %.4f  %.0f ex/s  ETA %@", epoch, epochs, bar, batch, batches, loss,
        accuracy, rate, Self.duration(remaining))
      FileHandle.standardOutput.write(Data(("\r" + line + "\u{1B}[K").utf8))
    case .epoch(let r):
      var line = String(
        format: "Epoch %d/%d  loss %.4f  acc %.4f", r.epoch, epochs, r.loss, r.accuracy)
      if let vl = r.validationLoss, let va = r.validationAccuracy {
        line += String(format: "  val_loss %.4f  val_acc %.4f", vl, va)
      }
      line += String(format: "  lr %.3g  %.1fs  %.0f ex/s", r.learningRate, r.seconds, r.examplesPerSecond)
      print((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : ""))
    case .stoppedEarly(let epoch, let best):
      print("Early stopping after epoch \(epoch): best validation loss at epoch \(best)")
    }
  }

  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
