import Foundation

/// A one-line error for the terminal (ArgumentParser prints "Error: " + description and exits 1).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A progress line on stderr: rewritten in place on a terminal; otherwise printed as lines, on each new stage
/// and at most every two seconds within one.
final class ProgressLine: @unchecked Sendable {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastLength = 0
    private var lastPrint = Date.distantPast
    private var lastText = ""
    private var lastStage = ""

    func show(_ text: String, stage: String) {
        guard text != lastText else { return }
        lastText = text
        if isTerminal {
            let padding = String(repeating: " ", count: max(0, lastLength - text.count))
            FileHandle.standardError.write(Data(("\r" + text + padding).utf8))
            lastLength = text.count
        } else if stage != lastStage || Date().timeIntervalSince(lastPrint) >= 2 {
            FileHandle.standardError.write(Data((text + "\n").utf8))
            lastPrint = Date()
        }
        lastStage = stage
    }

    /// Ends the line so that what follows starts on a fresh one.
    func finish() {
        if isTerminal && lastLength > 0 { FileHandle.standardError.write(Data("\n".utf8)) }
        lastLength = 0
    }
}
