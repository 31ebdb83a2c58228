#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Progress on stdout: on a terminal a live line rewritten in place (at most 5 times a second); otherwise
/// a plain line every `plainEvery` steps and on the last step, so logs stay readable.
public final class ProgressReporter: @unchecked Sendable {
    public let totalSteps: Int
    public let isTerminal: Bool
    public let plainEvery: Int
    private var lastDraw = 0.0
    private var drewLive = false

    public init(totalSteps: Int, plainEvery: Int = 10, isTerminal: Bool = isatty(STDOUT_FILENO) != 0) {
        self.totalSteps = totalSteps
        self.plainEvery = max(1, plainEvery)
        self.isTerminal = isTerminal
    }

    /// The text of one progress report.
    public static func line(step: Int, total: Int, loss: Double, lr: Float, tokensPerSecond: Double,
                            etaSeconds: Double?) -> String {
        var s = "step \(step)/\(total)  loss \(String(format: "%.4f", loss))  lr \(String(format: "%.2e", lr))"
        s += "  \(formatRate(tokensPerSecond)) tok/s"
        if let eta = etaSeconds { s += "  ETA \(formatDuration(eta))" }
        return s
    }

    public func report(step: Int, loss: Double, lr: Float, tokensPerSecond: Double, etaSeconds: Double?) {
        let text = Self.line(step: step, total: totalSteps, loss: loss, lr: lr,
                             tokensPerSecond: tokensPerSecond, etaSeconds: etaSeconds)
        if isTerminal {
            let now = Date().timeIntervalSince1970
            guard now - lastDraw >= 0.2 || step == totalSteps else { return }
            lastDraw = now
            fflush(nil); FileHandle.standardOutput.write(Data(("\r\u{1B}[K" + text).utf8))
            drewLive = true
        } else if step % plainEvery == 0 || step == totalSteps {
            print(text)
            fflush(nil)
        }
    }

    /// Prints a message on its own line, ending a live line first.
    public func message(_ text: String) {
        if isTerminal && drewLive {
            fflush(nil); FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8))
        }
        print(text)
        fflush(nil)
        if isTerminal { lastDraw = 0 }
    }

    /// Ends the live line (call once at the end).
    public func finish() {
        if isTerminal && drewLive { print("") }
        drewLive = false
    }

    static func formatRate(_ r: Double) -> String {
        r >= 10_000 ? String(format: "%.1fk", r / 1000) : String(format: "%.0f", r)
    }

    public static func formatDuration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m" }
        if s >= 60 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
        return "\(s)s"
    }
}
